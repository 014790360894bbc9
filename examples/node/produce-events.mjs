// Producing app events to engaged from Node.js with kafkajs (npm install kafkajs).
//
// What matters for engaged (docs/events.md):
// - the message key is the user_id, so all of a user's events land in one partition;
// - kafkajs partitions keys with murmur2, like the Java client, not with librdkafka's default:
//   run engaged with `input.partitioner=murmur2_random`, or /v1/users and `replay` of the same
//   log disagree with `run` about where a user lives;
// - acks from all in-sync replicas and every send awaited: a failure is an error here;
// - one request in flight, so a retry cannot reorder a user's events. A retry may send an event
//   twice; engaged drops a re-sent event_id within processing.dedupe_window, so kafkajs'
//   idempotent mode is not needed (and its controller lookup fails on engaged's embedded cluster).
//
// Usage: node produce-events.mjs --bootstrap HOST:PORT [--topic app.events] [--users 20]
// Prints the number of events Kafka acknowledged.
import { Kafka, logLevel } from "kafkajs";
import { parseArgs } from "node:util";

const { values: o } = parseArgs({
  options: {
    bootstrap: { type: "string" },
    topic: { type: "string", default: "app.events" },
    users: { type: "string", default: "20" },
  },
});
if (!o.bootstrap) throw new Error("--bootstrap HOST:PORT is required");

// One user's first visit: a signup, a session with two lessons, and for some a purchase.
function userEvents(user, i, now) {
  const at = (seconds) => new Date(now + seconds * 1000).toISOString();
  const session = `${user}-s1`;
  const events = [
    { type: "signup", ts: at(0), props: { platform: "ios", country: "FR" } },
    { type: "session_start", ts: at(1), session_id: session },
    { type: "action", ts: at(30), session_id: session, name: "open_lesson" },
    { type: "action", ts: at(300), session_id: session, name: "complete_lesson" },
    { type: "session_end", ts: at(320), session_id: session },
  ];
  if (i % 4 === 0) events.push({ type: "purchase", ts: at(330), amount: 4.99, currency: "EUR" });
  return events.map((e, n) => ({ event_id: `${user}-e${n}`, user_id: user, ...e }));
}

const kafka = new Kafka({
  clientId: "engaged-example",
  brokers: o.bootstrap.split(","),
  logLevel: logLevel.ERROR,
});
const producer = kafka.producer({ maxInFlightRequests: 1, allowAutoTopicCreation: false });
await producer.connect();
const now = Math.floor(Date.now() / 1000) * 1000;
const messages = [];
for (let i = 0; i < Number(o.users); i++) {
  const user = `node-user-${i}`;
  for (const event of userEvents(user, i, now))
    messages.push({ key: user, value: JSON.stringify(event) });
}
await producer.send({ topic: o.topic, acks: -1, messages });
await producer.disconnect();
console.log(`produced ${messages.length} events`);
