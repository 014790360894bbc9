# A holdout user: with nudges.holdout_share = 0.5, the stable hash of "mentoring:<user id>" puts
# Hana in the holdout and Igor in the treated group. Both fade the same way. Igor's match is
# delivered; his mentor Jan never answers, so Jan gets a reminder. Hana's decisions are recorded
# with holdout: true (to her and to the mentor she would have had) and go no further: no capacity
# used, no SLA, no reminder. Both count in the uplift figures, by arm.
set nudges.holdout_share=0.5
ticks 1h
close 2026-06-12T00:00:00Z
events:
{"event_id":"mentor-jan-s","user_id":"mentor-jan","type":"signup","ts":"2026-05-01T08:00:00Z","props":{"tz":"America/New_York","locale":"de-DE"}}
{"event_id":"mentor-jan-o","user_id":"mentor-jan","type":"mentor_opt_in","ts":"2026-05-01T08:05:00Z","props":{"languages":["en"],"topics":["lessons"],"capacity":3}}
{"event_id":"newbie-hana-1","user_id":"newbie-hana","type":"signup","ts":"2026-06-01T10:00:00Z","props":{"tz":"America/New_York","locale":"en-US","topics":["lessons"]}}
{"event_id":"newbie-hana-2","user_id":"newbie-hana","type":"action","name":"open_lesson","ts":"2026-06-01T10:05:00Z"}
{"event_id":"newbie-hana-3","user_id":"newbie-hana","type":"action","name":"open_lesson","ts":"2026-06-02T18:00:00Z"}
{"event_id":"newbie-hana-4","user_id":"newbie-hana","type":"action","name":"complete_lesson","ts":"2026-06-03T18:30:00Z"}
{"event_id":"newbie-igor-1","user_id":"newbie-igor","type":"signup","ts":"2026-06-01T10:00:00Z","props":{"tz":"America/New_York","locale":"en-US","topics":["lessons"]}}
{"event_id":"newbie-igor-2","user_id":"newbie-igor","type":"action","name":"open_lesson","ts":"2026-06-01T10:05:00Z"}
{"event_id":"newbie-igor-3","user_id":"newbie-igor","type":"action","name":"open_lesson","ts":"2026-06-02T18:00:00Z"}
{"event_id":"newbie-igor-4","user_id":"newbie-igor","type":"action","name":"complete_lesson","ts":"2026-06-03T18:30:00Z"}
nudges:
2026-06-08T00:00:00.000Z mentor_match to=newbie-hana (mentee) about=mentor-jan holdout mentor_match-f7c15881a3bb79a0
2026-06-08T00:00:00.000Z mentor_match to=mentor-jan (mentor) about=newbie-hana holdout mentor_match-23e3c9efcf39e3c0
2026-06-08T00:00:00.000Z mentor_match to=newbie-igor (mentee) about=mentor-jan deliver@2026-06-08T00:00:00.000Z mentor_match-0a85721f8554b8bb
2026-06-08T00:00:00.000Z mentor_match to=mentor-jan (mentor) about=newbie-igor deliver@2026-06-08T00:00:00.000Z mentor_match-60e3dac864baa46f
2026-06-09T00:00:00.000Z mentor_reminder to=mentor-jan (mentor) about=newbie-igor deliver@2026-06-09T00:00:00.000Z mentor_reminder-961d5fc59c85788b
