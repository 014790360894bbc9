# A reported mentor: Rex is matched with Pia and answers her. Three distinct users report him
# (mentors.report_threshold = 3; a fourth report by a repeat reporter would not count): he is
# suspended and Pia is matched again, to Sue. Quinn fades later: she gets Sue too, never Rex,
# although Rex has capacity left and shares her topic.
set nudges.holdout_share=0
ticks 1h
close 2026-06-16T00:00:00Z
events:
{"event_id":"mentor-rex-s","user_id":"mentor-rex","type":"signup","ts":"2026-05-01T08:00:00Z","props":{"tz":"America/New_York","locale":"de-DE"}}
{"event_id":"mentor-rex-o","user_id":"mentor-rex","type":"mentor_opt_in","ts":"2026-05-01T08:05:00Z","props":{"languages":["en"],"topics":["lessons"],"capacity":3}}
{"event_id":"mentor-sue-s","user_id":"mentor-sue","type":"signup","ts":"2026-05-01T08:00:00Z","props":{"tz":"America/New_York","locale":"de-DE"}}
{"event_id":"mentor-sue-o","user_id":"mentor-sue","type":"mentor_opt_in","ts":"2026-05-01T08:05:00Z","props":{"languages":["en"],"topics":["grammar"],"capacity":3}}
{"event_id":"newbie-pia-1","user_id":"newbie-pia","type":"signup","ts":"2026-06-01T10:00:00Z","props":{"tz":"America/New_York","locale":"en-US","topics":["lessons"]}}
{"event_id":"newbie-pia-2","user_id":"newbie-pia","type":"action","name":"open_lesson","ts":"2026-06-01T10:05:00Z"}
{"event_id":"newbie-pia-3","user_id":"newbie-pia","type":"action","name":"open_lesson","ts":"2026-06-02T18:00:00Z"}
{"event_id":"newbie-pia-4","user_id":"newbie-pia","type":"action","name":"complete_lesson","ts":"2026-06-03T18:30:00Z"}
{"event_id":"rex-1","user_id":"mentor-rex","type":"mentor_message","ts":"2026-06-08T03:00:00Z","peer_user_id":"newbie-pia"}
{"event_id":"r1-s","user_id":"reporter-u1","type":"signup","ts":"2026-04-01T10:00:00Z"}
{"event_id":"r2-s","user_id":"reporter-u2","type":"signup","ts":"2026-04-01T10:00:00Z"}
{"event_id":"r3-s","user_id":"reporter-u3","type":"signup","ts":"2026-04-01T10:00:00Z"}
{"event_id":"r1-r","user_id":"reporter-u1","type":"mentor_report","ts":"2026-06-09T10:00:00Z","peer_user_id":"mentor-rex"}
{"event_id":"r2-r","user_id":"reporter-u2","type":"mentor_report","ts":"2026-06-09T11:00:00Z","peer_user_id":"mentor-rex"}
{"event_id":"r2-r2","user_id":"reporter-u2","type":"mentor_report","ts":"2026-06-09T11:30:00Z","peer_user_id":"mentor-rex"}
{"event_id":"r3-r","user_id":"reporter-u3","type":"mentor_report","ts":"2026-06-09T12:00:00Z","peer_user_id":"mentor-rex"}
{"event_id":"sue-1","user_id":"mentor-sue","type":"mentor_message","ts":"2026-06-09T20:00:00Z","peer_user_id":"newbie-pia"}
{"event_id":"newbie-quinn-1","user_id":"newbie-quinn","type":"signup","ts":"2026-06-05T10:00:00Z","props":{"tz":"America/New_York","locale":"en-US","topics":["lessons"]}}
{"event_id":"newbie-quinn-2","user_id":"newbie-quinn","type":"action","name":"open_lesson","ts":"2026-06-05T10:05:00Z"}
{"event_id":"newbie-quinn-3","user_id":"newbie-quinn","type":"action","name":"open_lesson","ts":"2026-06-06T18:00:00Z"}
{"event_id":"newbie-quinn-4","user_id":"newbie-quinn","type":"action","name":"complete_lesson","ts":"2026-06-07T18:30:00Z"}
{"event_id":"sue-2","user_id":"mentor-sue","type":"mentor_message","ts":"2026-06-12T15:00:00Z","peer_user_id":"newbie-quinn"}
nudges:
2026-06-08T00:00:00.000Z mentor_match to=newbie-pia (mentee) about=mentor-rex deliver@2026-06-08T00:00:00.000Z mentor_match-bf8ceee8b7ace96b
2026-06-08T00:00:00.000Z mentor_match to=mentor-rex (mentor) about=newbie-pia deliver@2026-06-08T00:00:00.000Z mentor_match-468bfcf2abe77e65
2026-06-09T12:00:00.000Z mentor_match to=newbie-pia (mentee) about=mentor-sue deliver@2026-06-09T12:00:00.000Z mentor_match-7a51675730c0d248
2026-06-09T12:00:00.000Z mentor_match to=mentor-sue (mentor) about=newbie-pia deliver@2026-06-09T12:00:00.000Z mentor_match-4118b2ec02b9ebaf
2026-06-12T00:00:00.000Z mentor_match to=newbie-quinn (mentee) about=mentor-sue deliver@2026-06-12T00:00:00.000Z mentor_match-56a98286713ba94e
2026-06-12T00:00:00.000Z mentor_match to=mentor-sue (mentor) about=newbie-quinn deliver@2026-06-12T00:00:00.000Z mentor_match-08d8b4c1d6be2567
