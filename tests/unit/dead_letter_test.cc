// KafkaDeadLetterSink against the embedded cluster: a rejected message must never disappear.
// A letter the broker acknowledges is on the topic with its reason and source; a letter the
// broker refuses for good makes acknowledged() throw, which keeps the checkpoint (and its input
// offset) from committing, so the message is rejected and sent again after a restart; a letter in
// flight holds back exactly the marks taken after it was sent.
#include "sinks/dead_letter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ingest/embedded_cluster.h"
#include "state/kafka/topic_reader.h"

namespace engaged {
namespace {

const std::string kTopic = "dead-letter-test";

DeadLetter letter(std::string_view original) {
  return DeadLetter{.original = original,
                    .key = "u1",
                    .reason = RejectReason::kNotAnObject,
                    .detail = "expected an object",
                    .source_topic = "app.events",
                    .source_partition = 3,
                    .source_offset = 41};
}

std::string header(rd_kafka_message_t* m, const char* name) {
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(m, &headers)) return "";
  const void* value = nullptr;
  size_t size = 0;
  if (rd_kafka_header_get_last(headers, name, &value, &size)) return "";
  return std::string(static_cast<const char*>(value), size);
}

TEST(KafkaDeadLetterSinkTest, AnAcknowledgedLetterIsOnTheTopicWithItsReasonAndSource) {
  EmbeddedCluster cluster(1);
  cluster.create_topic(kTopic, 1);
  const KafkaProperties props{{"bootstrap.servers", cluster.bootstrap_servers()}};
  KafkaDeadLetterSink sink(props, kTopic);
  sink.send(letter("{not json"));
  EXPECT_TRUE(sink.acknowledged(sink.mark(), true));

  TopicReader reader(props, "dead-letter-test-reader");
  reader.start(kTopic, 0, 0);
  std::vector<rd_kafka_message_t*> got;
  for (int i = 0; i < 50 && got.empty(); ++i) reader.poll(got, 10, 200);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(std::string(static_cast<const char*>(got[0]->payload), got[0]->len), "{not json");
  EXPECT_EQ(std::string(static_cast<const char*>(got[0]->key), got[0]->key_len), "u1");
  EXPECT_EQ(header(got[0], "engaged.reason"), "not_an_object");
  EXPECT_EQ(header(got[0], "engaged.source.partition"), "3");
  EXPECT_EQ(header(got[0], "engaged.source.offset"), "41");
  for (auto* m : got) rd_kafka_message_destroy(m);
}

TEST(KafkaDeadLetterSinkTest, ALetterInFlightHoldsBackOnlyTheMarksTakenAfterIt) {
  EmbeddedCluster cluster(1);
  cluster.create_topic(kTopic, 1);
  KafkaDeadLetterSink sink({{"bootstrap.servers", cluster.bootstrap_servers()}}, kTopic);
  const uint64_t before = sink.mark();
  cluster.command("down 1");  // the letter stays in flight until the broker is back
  sink.send(letter("{not json"));
  const uint64_t after = sink.mark();
  EXPECT_TRUE(sink.acknowledged(before, false));
  EXPECT_FALSE(sink.acknowledged(after, false));
  sink.poll();
  EXPECT_FALSE(sink.acknowledged(after, false));
  cluster.command("up 1");
  EXPECT_TRUE(sink.acknowledged(after, true));
}

TEST(KafkaDeadLetterSinkTest, ALetterTheBrokerRefusesMakesTheAcknowledgementThrow) {
  EmbeddedCluster cluster(1);
  cluster.create_topic(kTopic, 1);
  KafkaDeadLetterSink sink({{"bootstrap.servers", cluster.bootstrap_servers()}}, kTopic);
  // TOPIC_AUTHORIZATION_FAILED (29) on every Produce: not retriable, the letter fails for good.
  cluster.command("errors 0 100 29");
  sink.send(letter("{not json"));
  try {
    sink.acknowledged(sink.mark(), true);
    FAIL() << "acknowledged() returned although the broker refused the letter";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(kTopic), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("authorization failed"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace engaged
