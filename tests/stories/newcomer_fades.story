# A newcomer who fades: Ben signs up, is active three days, then goes silent. No event of his
# says so: his silence timer fires at the start of the day his score crosses risk.threshold,
# which makes him an at-risk newcomer. Anna is the only German-speaking mentor with capacity and
# shares his topic, so both get a mentor_match. Anna writes to him within the SLA (no reminder).
# Ben is active again 31 days after he entered the program: Anna earns a mentor_reward.
set nudges.holdout_share=0
ticks 1h
close 2026-07-20T00:00:00Z
events:
{"event_id":"a1","user_id":"mentor-anna","type":"signup","ts":"2026-05-01T08:00:00Z","props":{"tz":"Europe/Berlin","locale":"de-DE"}}
{"event_id":"a2","user_id":"mentor-anna","type":"mentor_opt_in","ts":"2026-05-01T08:05:00Z","props":{"languages":["de","en"],"topics":["grammar","lessons"],"capacity":2}}
{"event_id":"b1","user_id":"newbie-ben","type":"signup","ts":"2026-06-01T10:00:00Z","props":{"tz":"Europe/Berlin","locale":"de-DE","topics":["grammar"]}}
{"event_id":"b2","user_id":"newbie-ben","type":"action","name":"open_lesson","ts":"2026-06-01T10:05:00Z"}
{"event_id":"b3","user_id":"newbie-ben","type":"action","name":"open_lesson","ts":"2026-06-02T18:00:00Z"}
{"event_id":"b4","user_id":"newbie-ben","type":"action","name":"complete_lesson","ts":"2026-06-03T18:30:00Z"}
{"event_id":"a3","user_id":"mentor-anna","type":"mentor_message","ts":"2026-06-08T09:00:00Z","peer_user_id":"newbie-ben"}
{"event_id":"b5","user_id":"newbie-ben","type":"mentor_message","ts":"2026-06-08T19:00:00Z","peer_user_id":"mentor-anna"}
{"event_id":"b6","user_id":"newbie-ben","type":"action","name":"open_lesson","ts":"2026-07-09T18:00:00Z"}
nudges:
2026-06-08T00:00:00.000Z mentor_match to=mentor-anna (mentor) about=newbie-ben deliver@2026-06-08T06:00:00.000Z mentor_match-63a3e53a59f63f73
2026-06-08T00:00:00.000Z mentor_match to=newbie-ben (mentee) about=mentor-anna deliver@2026-06-08T06:00:00.000Z mentor_match-deb912425d0165eb
2026-07-09T18:00:00.000Z mentor_reward to=mentor-anna (mentor) about=newbie-ben deliver@2026-07-09T18:00:00.000Z mentor_reward-9ad24969cbd778ef
