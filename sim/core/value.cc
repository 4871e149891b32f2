#include "core/value.h"

#include <cctype>

namespace ccsim {

namespace {

__int128 pow10(int n) {
  __int128 p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

__int128 limit() {
  static const __int128 l = pow10(Decimal::kMaxDigits);
  return l;
}

}  // namespace

// Orders units_a / 10^a by value against units_b / 10^b: whole parts
// first, then the fractions at the larger scale (at most 10^30 each), so
// nothing overflows.
static std::strong_ordering by_value(__int128 ua, int a, __int128 ub, int b) {
  const int s = std::max(a, b);
  const __int128 pa = pow10(a), pb = pow10(b);
  __int128 wa = ua / pa, wb = ub / pb;
  if (wa != wb) return wa <=> wb;
  return (ua % pa) * pow10(s - a) <=> (ub % pb) * pow10(s - b);
}

std::strong_ordering operator<=>(const Decimal& a, const Decimal& b) {
  std::strong_ordering c = by_value(a.units(), a.scale, b.units(), b.scale);
  return c != 0 ? c : a.scale <=> b.scale;
}

std::string decimal_text(const Decimal& d) {
  const __int128 units = d.units();
  bool negative = units < 0;
  unsigned __int128 u =
      negative ? static_cast<unsigned __int128>(-units) : static_cast<unsigned __int128>(units);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  } while (u > 0);
  if (digits.size() <= static_cast<size_t>(d.scale))
    digits.insert(0, static_cast<size_t>(d.scale) + 1 - digits.size(), '0');
  if (d.scale > 0) digits.insert(digits.size() - static_cast<size_t>(d.scale), ".");
  return (negative ? "-" : "") + digits;
}

std::optional<__int128> units_at(const Value& number, int scale) {
  __int128 units = 0;
  int from = 0;
  if (const int64_t* i = std::get_if<int64_t>(&number)) {
    units = *i;
  } else if (const Decimal* d = std::get_if<Decimal>(&number)) {
    units = d->units();
    from = d->scale;
  } else {
    return std::nullopt;
  }
  if (scale >= from) {
    __int128 p = pow10(scale - from), out = 0;
    if (__builtin_mul_overflow(units, p, &out) || out >= limit() || out <= -limit())
      return std::nullopt;
    return out;
  }
  __int128 p = pow10(from - scale);
  __int128 q = units / p, r = units % p;
  // Half away from zero: |r| >= p / 2 rounds the magnitude up.
  if (2 * (r < 0 ? -r : r) >= p) q += units < 0 ? -1 : 1;
  return q;
}

std::optional<Value> number_value(__int128 units, int scale) {
  // A whole number is an int64 where it fits; past 64 bits (a numeric's
  // product, say) a Decimal of scale 0.
  if (scale == 0 && units <= INT64_MAX && units >= INT64_MIN)
    return Value{static_cast<int64_t>(units)};
  if (scale > Decimal::kMaxScale || units >= limit() || units <= -limit()) return std::nullopt;
  return Value{Decimal{units, scale}};
}

std::optional<Value> exactly_at_scale(const Value& number, int scale) {
  std::optional<__int128> units = units_at(number, scale);
  std::optional<Value> at = units ? number_value(*units, scale) : std::nullopt;
  if (at && compare_sql(*at, number) == 0) return at;
  return std::nullopt;
}

std::optional<Value> numeric_text(const std::string& text) {
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  size_t i = 0;
  while (i < text.size() && space(text[i])) ++i;
  bool negative = i < text.size() && text[i] == '-';
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  __int128 units = 0;
  int digits = 0, scale = 0;
  bool point = false, any = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.' && !point) {
      point = true;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      any = true;
      if (units != 0 || c != '0') ++digits;
      if (point) ++scale;
      if (digits > Decimal::kMaxDigits || scale > Decimal::kMaxScale) return std::nullopt;
      units = units * 10 + (c - '0');
    } else {
      break;
    }
  }
  while (i < text.size() && space(text[i])) ++i;
  if (!any || i != text.size()) return std::nullopt;
  return number_value(negative ? -units : units, scale);
}

std::weak_ordering compare_sql(const Value& a, const Value& b) {
  // Whole numbers, texts and booleans as Value orders them (the common
  // case, kept cheap); numerics by value, 1.5 beside 1.50 or an integer too.
  const bool da = std::holds_alternative<Decimal>(a), db = std::holds_alternative<Decimal>(b);
  if ((da || db) && is_number(a) && is_number(b)) {
    auto units = [](const Value& v) -> __int128 {
      const Decimal* d = std::get_if<Decimal>(&v);
      return d ? d->units() : std::get<int64_t>(v);
    };
    return by_value(units(a), scale_of(a), units(b), scale_of(b));
  }
  return a <=> b;
}

std::string to_sql(const Value& v) {
  if (is_null(v)) return "NULL";
  if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (auto* d = std::get_if<Decimal>(&v)) return decimal_text(*d);
  std::string out = "'";
  for (char c : std::get<std::string>(v)) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string to_display(const Value& v) {
  if (is_null(v)) return "NULL";
  if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto* b = std::get_if<bool>(&v)) return *b ? "t" : "f";
  if (auto* d = std::get_if<Decimal>(&v)) return decimal_text(*d);
  return std::get<std::string>(v);
}

}  // namespace ccsim
