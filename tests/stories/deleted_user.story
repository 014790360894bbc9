# A deleted user: Tom takes one mentee at a time. Ula fades first and is matched with him (he
# answers her); Vic fades a day later and waits (engaged_mentor_matches_waiting). Ula deletes her
# account: her match ends, nothing more is ever decided for or about her (no reminder, no
# reward), and Tom's free place goes to Vic at once.
set nudges.holdout_share=0
ticks 1h
close 2026-06-14T00:00:00Z
events:
{"event_id":"mentor-tom-s","user_id":"mentor-tom","type":"signup","ts":"2026-05-01T08:00:00Z","props":{"tz":"America/New_York","locale":"de-DE"}}
{"event_id":"mentor-tom-o","user_id":"mentor-tom","type":"mentor_opt_in","ts":"2026-05-01T08:05:00Z","props":{"languages":["en"],"topics":["lessons"],"capacity":1}}
{"event_id":"newbie-ula-1","user_id":"newbie-ula","type":"signup","ts":"2026-05-31T10:00:00Z","props":{"tz":"America/New_York","locale":"en-US","topics":["lessons"]}}
{"event_id":"newbie-ula-2","user_id":"newbie-ula","type":"action","name":"open_lesson","ts":"2026-05-31T10:05:00Z"}
{"event_id":"newbie-ula-3","user_id":"newbie-ula","type":"action","name":"open_lesson","ts":"2026-06-01T18:00:00Z"}
{"event_id":"newbie-ula-4","user_id":"newbie-ula","type":"action","name":"complete_lesson","ts":"2026-06-02T18:30:00Z"}
{"event_id":"newbie-vic-1","user_id":"newbie-vic","type":"signup","ts":"2026-06-01T10:00:00Z","props":{"tz":"America/New_York","locale":"en-US","topics":["lessons"]}}
{"event_id":"newbie-vic-2","user_id":"newbie-vic","type":"action","name":"open_lesson","ts":"2026-06-01T10:05:00Z"}
{"event_id":"newbie-vic-3","user_id":"newbie-vic","type":"action","name":"open_lesson","ts":"2026-06-02T18:00:00Z"}
{"event_id":"newbie-vic-4","user_id":"newbie-vic","type":"action","name":"complete_lesson","ts":"2026-06-03T18:30:00Z"}
{"event_id":"tom-0","user_id":"mentor-tom","type":"mentor_message","ts":"2026-06-07T03:00:00Z","peer_user_id":"newbie-ula"}
{"event_id":"ula-del","user_id":"newbie-ula","type":"user_deleted","ts":"2026-06-08T12:00:00Z"}
{"event_id":"tom-1","user_id":"mentor-tom","type":"mentor_message","ts":"2026-06-08T15:00:00Z","peer_user_id":"newbie-vic"}
nudges:
2026-06-07T00:00:00.000Z mentor_match to=newbie-ula (mentee) about=mentor-tom deliver@2026-06-07T00:00:00.000Z mentor_match-9b23c74fa8243830
2026-06-07T00:00:00.000Z mentor_match to=mentor-tom (mentor) about=newbie-ula deliver@2026-06-07T00:00:00.000Z mentor_match-728501f4f33c8a8b
2026-06-08T12:00:00.000Z mentor_match to=newbie-vic (mentee) about=mentor-tom deliver@2026-06-08T12:00:00.000Z mentor_match-389a9768837485bf
2026-06-08T12:00:00.000Z mentor_match to=mentor-tom (mentor) about=newbie-vic deliver@2026-06-08T12:00:00.000Z mentor_match-0a5bbf1a0389c1a8
