// The data contract: CSV parsing and the purchase/catalogue readers' per-row errors.
#include <gtest/gtest.h>

#include <cmath>

#include "cabine/csv.h"
#include "cabine/fit_data.h"

namespace cabine {
namespace {

CsvTable csv(const std::string& text) {
  Result<CsvTable> t = parse_csv(text);
  EXPECT_TRUE(t.is_ok()) << t.status().to_string();
  return t.is_ok() ? std::move(t).value() : CsvTable{};
}

const char* kHeader = "customer_id,product_id,brand,category,size_system,size,outcome,date,height_cm,weight_kg,age,body_type,bust\n";

TEST(Csv, QuotesCrLfBomAndBlankLines) {
  const CsvTable t = csv("\xEF\xBB\xBF" "a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n\r\n\"multi\nline\",2\n");
  ASSERT_EQ(t.header, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].fields, (std::vector<std::string>{"x, y", "say \"hi\""}));
  EXPECT_EQ(t.rows[0].line, 2u);
  EXPECT_EQ(t.rows[1].fields[0], "multi\nline");
  EXPECT_EQ(t.rows[1].line, 4u);
  EXPECT_EQ(csv_escape("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_escape("plain"), "plain");
}

TEST(Csv, StructuralErrors) {
  Result<CsvTable> r = parse_csv("a,b\n1,\"open\n");
  EXPECT_EQ(r.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "line 2: unterminated quoted field");
  EXPECT_EQ(parse_csv("a,a\n").status().message(), "line 1: column 'a' appears twice in the header");
  EXPECT_EQ(parse_csv("a,,b\n").status().message(), "line 1, column 2: empty header name");
  EXPECT_EQ(parse_csv("").status().message(), "line 1: the file is empty; a header row is required");
}

TEST(Purchases, ReadsGoodRowsWithBody) {
  const CsvTable t = csv(std::string(kHeader) + "c1,p1,Acme,dress,eu,38,kept,2025-01-02,170,62.5,34,hourglass,34c\n" +
                         "c1,p2,,,letter,M,returned_other,,,,,,\n");
  PurchaseLog log = read_purchases(t).value();
  ASSERT_EQ(log.rows.size(), 2u);
  EXPECT_EQ(log.skipped.size(), 0u);
  EXPECT_EQ(log.returned_other, 1u);
  EXPECT_EQ(log.rows[0].body.weight_kg.value(), 62.5);
  EXPECT_EQ(log.rows[0].outcome, FitOutcome::kKept);
  EXPECT_EQ(log.rows[1].outcome, FitOutcome::kReturnedOther);
  EXPECT_FALSE(log.rows[1].body.height_cm.has_value());
}

TEST(Purchases, MissingRequiredColumn) {
  Result<PurchaseLog> r = read_purchases(csv("customer_id,product_id,size\nc,p,M\n"));
  EXPECT_EQ(r.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "line 1: the header has no 'outcome' column (required: customer_id, product_id, size, outcome)");
}

// Each bad row is skipped with its line, its column and what is wrong.
TEST(Purchases, BadRowsNameLineAndColumn) {
  const std::string rows = std::string(kHeader) +
                           "c1,p1,,,eu,38,fits,,,,,,\n"              // 2: bad outcome
                           ",p1,,,eu,38,kept,,,,,,\n"                // 3: empty customer
                           "c1,p1,,,eu,39,kept,,,,,,\n"              // 4: odd EU size
                           "c1,p1,,,inches,38,kept,,,,,,\n"          // 5: unknown size system
                           "c1,p1,,,eu,38,kept,03/01/2025,,,,,\n"    // 6: bad date
                           "c1,p1,,,eu,38,kept,,-170,,,,\n"          // 7: negative height
                           "c1,p1,,,eu,38,kept,,,abc,,,\n"           // 8: weight not a number
                           "c1,p1,,,eu,38,kept,,,,300,,\n"           // 9: absurd age
                           "c1,p1,,,eu,38,kept,,,,,,34z\n"           // 10: bad cup
                           "c1,p1,,,eu,38,kept\n"                    // 11: too few fields
                           "c1,p1,,,eu,38,kept,,,,,,\n"              // 12: good
                           "c1,p1,,,eu,,kept,,,,,,\n"                // 13: empty size
                           "c1,p1,,,eu,38,,,,,,,\n";                 // 14: empty outcome
  PurchaseLog log = read_purchases(csv(rows)).value();
  EXPECT_EQ(log.total_rows, 13u);
  EXPECT_EQ(log.rows.size(), 1u);
  ASSERT_EQ(log.skipped.size(), 12u);
  const std::vector<std::tuple<std::size_t, std::string, std::string>> expected = {
      {2, "outcome", "outcome 'fits' is not one of kept, too_small, too_large, returned_other"},
      {3, "customer_id", "customer_id is empty"},
      {4, "size", ""},
      {5, "size_system", ""},
      {6, "date", "date '03/01/2025' is not YYYY-MM-DD"},
      {7, "height_cm", "height_cm -170 is outside 100..230 cm"},
      {8, "weight_kg", "weight_kg 'abc' is not a number"},
      {9, "age", "age 300 is outside 12..100 years"},
      {10, "bust", "bust cup 'z' is not a cup size (aa, a..k, dd, ddd)"},
      {11, "", "expected 13 fields, found 7"},
      {13, "size", "size is empty"},
      {14, "outcome", "outcome is empty (one of kept, too_small, too_large, returned_other)"},
  };
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& [line, column, message] = expected[i];
    EXPECT_EQ(log.skipped[i].line, line) << i;
    EXPECT_EQ(log.skipped[i].column, column) << i;
    if (!message.empty()) {
      EXPECT_EQ(log.skipped[i].message, message) << i;
    }
  }
  EXPECT_EQ(log.skipped[2].message, "eu size '39' is not an even number; EU dress sizes are even numbers 28..60");
  EXPECT_EQ(log.skipped[3].message, "unknown size system 'inches'; valid: letter, eu, uk, us, waist_length, shoe_eu, shoe_uk, shoe_us, "
            "numeric (case-insensitive)");
}

TEST(Catalogue, ReadsAndRejects) {
  const CsvTable t = csv("product_id,brand,category,size_system,sizes\n"
                         "p1,Acme,dress,eu,34|36|38\n"
                         "p2,Acme,top,letter,S||M\n"
                         "p3,Acme,top,letter,S|Q\n"
                         ",Acme,top,letter,S\n"
                         "p1,Acme,dress,eu,36|38\n"
                         "p2,Acme,top,letter,S|M\n");
  Catalogue c = read_catalogue(t).value();
  ASSERT_EQ(c.entries.size(), 2u);  // p1 from line 2; p2 from line 7, its first valid row
  EXPECT_EQ(c.entries[0].sizes, (std::vector<std::string>{"34", "36", "38"}));
  EXPECT_EQ(c.entries[1].sizes, (std::vector<std::string>{"S", "M"}));
  ASSERT_EQ(c.skipped.size(), 4u);
  EXPECT_EQ(c.skipped[0].message, "sizes 'S||M' has an empty label (labels are joined by |)");
  EXPECT_EQ(c.skipped[1].column, "sizes");
  EXPECT_EQ(c.skipped[1].message, "letter size 'Q' is not a letter size (XXS..XXXL, or 2XS, 2XL, 3XL)");
  EXPECT_EQ(c.skipped[2].message, "product_id is empty");
  EXPECT_EQ(c.skipped[3].line, 6u);
  EXPECT_EQ(c.skipped[3].column, "product_id");
  EXPECT_EQ(c.skipped[3].message, "product_id 'p1' is listed again (first on line 2)");
  EXPECT_EQ(read_catalogue(csv("product_id\np\n")).status().message(),
            "line 1: the catalogue header has no 'sizes' column (required: product_id, sizes)");
}

TEST(Body, ValidationMessages) {
  BodyMeasurements b;
  b.height_cm = std::nan("");
  EXPECT_EQ(validate_body(b).message(), "height_cm must be a finite number");
  b.height_cm = 3000;
  EXPECT_EQ(validate_body(b).message(), "height_cm 3000 is outside 100..230 cm");
  b.height_cm = 170;
  b.weight_kg = -1;
  EXPECT_EQ(validate_body(b).message(), "weight_kg -1 is outside 25..250 kg");
  b.weight_kg = 60;
  b.bust = "12c";
  EXPECT_EQ(validate_body(b).message(), "bust band 12 is outside 26..50 inches");
  b.bust = "34dd";
  EXPECT_TRUE(validate_body(b).is_ok());
  EXPECT_EQ(parse_bust("34dd").value().cup, 5);
}

}  // namespace
}  // namespace cabine
