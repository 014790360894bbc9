// The hand-written JSON pieces: append_decimal4 must write exactly what fmt's "{:.4f}" writes
// (the nudges' bytes must not change with it): rounding ties to even on a double's exact value,
// signs of negative zeros and tiny negatives, and fmt itself beyond the fast path. Strings escape
// what JSON requires, wherever it falls in the string, and nothing else.
#include "sinks/json_text.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace engaged {
namespace {

std::string decimal4(double x) {
  std::string out = "x";
  append_decimal4(out, x);
  return out.substr(1);
}

TEST(JsonText, Decimal4WritesWhatFmtWrites) {
  std::vector<double> xs = {0.0,
                            -0.0,
                            1.0,
                            -1.0,
                            0.03125,  // 312.5 ten-thousandths exactly: a tie, to even (0.0312)
                            0.09375,  // 937.5: to even (0.0938)
                            2.03125,
                            -0.03125,
                            0.00005,
                            0.99995,
                            1.00005,
                            123.45675,
                            -1e-9,
                            5e-324,
                            -5e-324,
                            0.1 + 0.2,
                            99999999999999.99,
                            1e14,
                            -3e17,
                            std::numeric_limits<double>::max(),
                            std::numeric_limits<double>::infinity(),
                            -std::numeric_limits<double>::infinity(),
                            std::numeric_limits<double>::quiet_NaN()};
  for (int k = 1; k < 4096; k += 2) xs.push_back(k / 32.0);  // every tie below 128
  std::mt19937_64 rng(13);
  std::uniform_real_distribution<double> unit(0, 1), wide(-20, 20);
  for (int i = 0; i < 100000; ++i) {
    xs.push_back(unit(rng));
    xs.push_back(wide(rng));
    // Any finite double below 1e15 in magnitude: random bits, every exponent.
    const double bits = std::bit_cast<double>(rng());
    if (std::isfinite(bits) && std::fabs(bits) < 1e15) xs.push_back(bits);
  }
  for (double x : xs) ASSERT_EQ(decimal4(x), fmt::format("{:.4f}", x)) << std::hexfloat << x;
  EXPECT_EQ(decimal4(0.03125), "0.0312");
  EXPECT_EQ(decimal4(-0.0), "-0.0000");
}

TEST(JsonText, StringsEscapeQuotesBackslashesAndControlCharactersOnly) {
  auto quoted = [](std::string_view s) {
    std::string out;
    append_json_string(out, s);
    return out;
  };
  EXPECT_EQ(quoted(""), R"("")");
  EXPECT_EQ(quoted("plain é ü"), R"("plain é ü")");
  EXPECT_EQ(quoted(std::string_view("a\"b\\c\nd\re\tf\x01g\x1f\0", 15)),
            R"("a\"b\\c\nd\re\tf\u0001g\u001f\u0000")");
  EXPECT_EQ(quoted("\"\""), R"("\"\"")");  // escapes first and last
}

}  // namespace
}  // namespace engaged
