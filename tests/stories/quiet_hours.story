# Quiet hours in the recipient's own time zone: Kiran (Asia/Kolkata) becomes at risk at 00:00 UTC,
# 05:30 his time: his mentor_match waits until 08:00 IST (02:30 UTC). His mentor Lena lives in
# Los Angeles, where it is 17:00: hers is delivered at once. Deferred, not dropped.
set nudges.holdout_share=0
ticks 1h
close 2026-06-12T00:00:00Z
events:
{"event_id":"mentor-lena-s","user_id":"mentor-lena","type":"signup","ts":"2026-05-01T08:00:00Z","props":{"tz":"America/Los_Angeles","locale":"de-DE"}}
{"event_id":"mentor-lena-o","user_id":"mentor-lena","type":"mentor_opt_in","ts":"2026-05-01T08:05:00Z","props":{"languages":["en"],"topics":["lessons"],"capacity":2}}
{"event_id":"newbie-kiran-1","user_id":"newbie-kiran","type":"signup","ts":"2026-06-01T10:00:00Z","props":{"tz":"Asia/Kolkata","locale":"en-IN","topics":["lessons"]}}
{"event_id":"newbie-kiran-2","user_id":"newbie-kiran","type":"action","name":"open_lesson","ts":"2026-06-01T10:05:00Z"}
{"event_id":"newbie-kiran-3","user_id":"newbie-kiran","type":"action","name":"open_lesson","ts":"2026-06-02T18:00:00Z"}
{"event_id":"newbie-kiran-4","user_id":"newbie-kiran","type":"action","name":"complete_lesson","ts":"2026-06-03T18:30:00Z"}
{"event_id":"lena-1","user_id":"mentor-lena","type":"mentor_message","ts":"2026-06-08T03:00:00Z","peer_user_id":"newbie-kiran"}
nudges:
2026-06-08T00:00:00.000Z mentor_match to=mentor-lena (mentor) about=newbie-kiran deliver@2026-06-08T00:00:00.000Z mentor_match-16c2ca1c816648d9
2026-06-08T00:00:00.000Z mentor_match to=newbie-kiran (mentee) about=mentor-lena deliver@2026-06-08T02:30:00.000Z mentor_match-a1a9df55d463e8c4
