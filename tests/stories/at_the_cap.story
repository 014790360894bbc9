# A user at the cap: Olga (New York) has room for five mentees; nudges.daily_cap is 2. Three
# newcomers fade on the same day and are all matched to her: matches are never capped (a mentor
# must hear about her mentee), so she gets all three, though they fill her day. She answers
# everyone, so there are no reminders. All three are active again on 9 July, 31 days after they
# entered: three mentor_rewards for Olga that day. Rewards can wait: the first two are sent, the
# third is capped (engaged_nudges_total{kind="mentor_reward",outcome="capped"}, never produced).
set nudges.holdout_share=0
ticks 1h
close 2026-07-12T00:00:00Z
events:
{"event_id":"mentor-olga-s","user_id":"mentor-olga","type":"signup","ts":"2026-05-01T08:00:00Z","props":{"tz":"America/New_York","locale":"de-DE"}}
{"event_id":"mentor-olga-o","user_id":"mentor-olga","type":"mentor_opt_in","ts":"2026-05-01T08:05:00Z","props":{"languages":["en"],"topics":["lessons"],"capacity":5}}
{"event_id":"newbie-pat-1","user_id":"newbie-pat","type":"signup","ts":"2026-06-01T10:00:00Z","props":{"tz":"America/New_York","locale":"en-US","topics":["lessons"]}}
{"event_id":"newbie-pat-2","user_id":"newbie-pat","type":"action","name":"open_lesson","ts":"2026-06-01T10:05:00Z"}
{"event_id":"newbie-pat-3","user_id":"newbie-pat","type":"action","name":"open_lesson","ts":"2026-06-02T18:00:00Z"}
{"event_id":"newbie-pat-4","user_id":"newbie-pat","type":"action","name":"complete_lesson","ts":"2026-06-03T18:30:00Z"}
{"event_id":"newbie-quin-1","user_id":"newbie-quin","type":"signup","ts":"2026-06-01T10:00:00Z","props":{"tz":"America/New_York","locale":"en-US","topics":["lessons"]}}
{"event_id":"newbie-quin-2","user_id":"newbie-quin","type":"action","name":"open_lesson","ts":"2026-06-01T10:05:00Z"}
{"event_id":"newbie-quin-3","user_id":"newbie-quin","type":"action","name":"open_lesson","ts":"2026-06-02T18:00:00Z"}
{"event_id":"newbie-quin-4","user_id":"newbie-quin","type":"action","name":"complete_lesson","ts":"2026-06-03T18:30:00Z"}
{"event_id":"newbie-ray-1","user_id":"newbie-ray","type":"signup","ts":"2026-06-01T10:00:00Z","props":{"tz":"America/New_York","locale":"en-US","topics":["lessons"]}}
{"event_id":"newbie-ray-2","user_id":"newbie-ray","type":"action","name":"open_lesson","ts":"2026-06-01T10:05:00Z"}
{"event_id":"newbie-ray-3","user_id":"newbie-ray","type":"action","name":"open_lesson","ts":"2026-06-02T18:00:00Z"}
{"event_id":"newbie-ray-4","user_id":"newbie-ray","type":"action","name":"complete_lesson","ts":"2026-06-03T18:30:00Z"}
{"event_id":"olga-pat","user_id":"mentor-olga","type":"mentor_message","ts":"2026-06-08T03:00:00Z","peer_user_id":"newbie-pat"}
{"event_id":"olga-quin","user_id":"mentor-olga","type":"mentor_message","ts":"2026-06-08T03:00:00Z","peer_user_id":"newbie-quin"}
{"event_id":"olga-ray","user_id":"mentor-olga","type":"mentor_message","ts":"2026-06-08T03:00:00Z","peer_user_id":"newbie-ray"}
{"event_id":"pat-back","user_id":"newbie-pat","type":"action","name":"open_lesson","ts":"2026-07-09T14:00:00Z"}
{"event_id":"quin-back","user_id":"newbie-quin","type":"action","name":"open_lesson","ts":"2026-07-09T15:00:00Z"}
{"event_id":"ray-back","user_id":"newbie-ray","type":"action","name":"open_lesson","ts":"2026-07-09T16:00:00Z"}
nudges:
2026-06-08T00:00:00.000Z mentor_match to=newbie-pat (mentee) about=mentor-olga deliver@2026-06-08T00:00:00.000Z mentor_match-5a79d7d5bd0cf5ce
2026-06-08T00:00:00.000Z mentor_match to=mentor-olga (mentor) about=newbie-pat deliver@2026-06-08T00:00:00.000Z mentor_match-cb4cf0fa25d7a907
2026-06-08T00:00:00.000Z mentor_match to=newbie-quin (mentee) about=mentor-olga deliver@2026-06-08T00:00:00.000Z mentor_match-64ed723b5137c990
2026-06-08T00:00:00.000Z mentor_match to=mentor-olga (mentor) about=newbie-quin deliver@2026-06-08T00:00:00.000Z mentor_match-f3e8c5d8566c8f68
2026-06-08T00:00:00.000Z mentor_match to=newbie-ray (mentee) about=mentor-olga deliver@2026-06-08T00:00:00.000Z mentor_match-c6f738f9442a5e7b
2026-06-08T00:00:00.000Z mentor_match to=mentor-olga (mentor) about=newbie-ray deliver@2026-06-08T00:00:00.000Z mentor_match-872d79c98ff2808e
2026-07-09T14:00:00.000Z mentor_reward to=mentor-olga (mentor) about=newbie-pat deliver@2026-07-09T14:00:00.000Z mentor_reward-322ad04a15e8c12a
2026-07-09T15:00:00.000Z mentor_reward to=mentor-olga (mentor) about=newbie-quin deliver@2026-07-09T15:00:00.000Z mentor_reward-577efdc50b7ef97c
