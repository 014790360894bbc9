# A mentor who never answers: Nina (New York) fades and is matched to Max, who shares her topic.
# Max sends no mentor_message: 24 h after the match he gets a mentor_reminder; 24 h after that
# Nina is matched again, to Mia (never to Max again), and Mia answers within the SLA.
# Max and Mia live in Berlin: what is decided at 00:00 UTC (02:00 there) waits for 08:00.
set nudges.holdout_share=0
ticks 1h
close 2026-06-20T00:00:00Z
events:
{"event_id":"mentor-max-s","user_id":"mentor-max","type":"signup","ts":"2026-05-01T08:00:00Z","props":{"tz":"Europe/Berlin","locale":"de-DE"}}
{"event_id":"mentor-max-o","user_id":"mentor-max","type":"mentor_opt_in","ts":"2026-05-01T08:05:00Z","props":{"languages":["de","en"],"topics":["grammar"],"capacity":2}}
{"event_id":"mentor-mia-s","user_id":"mentor-mia","type":"signup","ts":"2026-05-02T08:00:00Z","props":{"tz":"Europe/Berlin","locale":"de-DE"}}
{"event_id":"mentor-mia-o","user_id":"mentor-mia","type":"mentor_opt_in","ts":"2026-05-02T08:05:00Z","props":{"languages":["en"],"topics":["lessons"],"capacity":2}}
{"event_id":"newbie-nina-1","user_id":"newbie-nina","type":"signup","ts":"2026-06-01T10:00:00Z","props":{"tz":"America/New_York","locale":"en-US","topics":["grammar"]}}
{"event_id":"newbie-nina-2","user_id":"newbie-nina","type":"action","name":"open_lesson","ts":"2026-06-01T10:05:00Z"}
{"event_id":"newbie-nina-3","user_id":"newbie-nina","type":"action","name":"open_lesson","ts":"2026-06-02T18:00:00Z"}
{"event_id":"newbie-nina-4","user_id":"newbie-nina","type":"action","name":"complete_lesson","ts":"2026-06-03T18:30:00Z"}
{"event_id":"mia-1","user_id":"mentor-mia","type":"mentor_message","ts":"2026-06-10T09:00:00Z","peer_user_id":"newbie-nina"}
nudges:
2026-06-08T00:00:00.000Z mentor_match to=newbie-nina (mentee) about=mentor-max deliver@2026-06-08T00:00:00.000Z mentor_match-124baa55cb6f8ee5
2026-06-08T00:00:00.000Z mentor_match to=mentor-max (mentor) about=newbie-nina deliver@2026-06-08T06:00:00.000Z mentor_match-7e210c728094c27d
2026-06-09T00:00:00.000Z mentor_reminder to=mentor-max (mentor) about=newbie-nina deliver@2026-06-09T06:00:00.000Z mentor_reminder-f36a292171cc8271
2026-06-10T00:00:00.000Z mentor_match to=newbie-nina (mentee) about=mentor-mia deliver@2026-06-10T00:00:00.000Z mentor_match-4317c83b8af646db
2026-06-10T00:00:00.000Z mentor_match to=mentor-mia (mentor) about=newbie-nina deliver@2026-06-10T06:00:00.000Z mentor_match-70b3cf142b517cf9
