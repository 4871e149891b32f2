#include <cctype>
#include <cstring>
#include <functional>
#include <optional>
#include <set>

#include "core/text.h"
#include "engine/engine.h"
#include "lang/parser.h"
#include "lang/validate.h"
#include "spec/spec.h"

namespace ccsim {

namespace {

class SpecParser {
 public:
  SpecParser(const std::string& text, std::string file) : text_(text), file_(std::move(file)) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n') line_starts_.push_back(i + 1);
  }

  SpecFile parse() {
    SpecFile spec;
    spec.file = file_;
    skip();
    while (peek_word("setup")) {
      word();
      Block b = block();
      append(spec.setup, statements(b));
      spec.setup_ends.push_back(spec.setup.size());
      spec.setup_sql.push_back(b.text);
    }
    if (peek_word("teardown")) {
      word();
      Block b = block();
      spec.teardown = statements(b);
      spec.teardown_sql = b.text;
    }
    while (peek_word("session")) {
      word();
      SpecSession s;
      s.name = identifier("a session name after 'session'");
      size_t index = spec.sessions.size();
      for (const SpecSession& other : spec.sessions)
        if (other.name == s.name) fail(last_, "two sessions are named " + s.name);
      if (peek_word("setup")) {
        word();
        Block b = block();
        s.setup = no_sequence(statements(b));
        s.setup_sql = b.text;
      }
      while (peek_word("step")) {
        word();
        SpecStep st;
        size_t st_at = at_;
        st.pos = pos(at_);
        st.name = identifier("a step name after 'step'");
        for (const SpecStep& other : spec.steps)
          if (other.name == st.name) fail(last_, "two steps are named " + st.name);
        Block b = block();
        st.sql = trim_spaces(b.text);
        std::vector<Step> parsed = no_sequence(statements(b));
        if (parsed.empty()) fail(b.start, "step " + st.name + " holds no statement");
        st.steps = std::move(parsed);
        st.session = index;
        if (spec.steps.size() == kSpecStepsMax)
          fail(st_at, "a spec has at most " + std::to_string(kSpecStepsMax) + " steps");
        s.steps.push_back(spec.steps.size());
        spec.steps.push_back(std::move(st));
      }
      if (s.steps.empty()) fail(at_, "session " + s.name + " has no step");
      if (peek_word("teardown")) {
        word();
        Block b = block();
        s.teardown = no_sequence(statements(b));
        s.teardown_sql = b.text;
      }
      spec.sessions.push_back(std::move(s));
    }
    if (spec.sessions.empty())
      fail(at_,
           "expected 'setup', 'teardown' or 'session' (a spec needs at least one session), found " +
               found());
    while (peek_word("permutation")) {
      word();
      spec.permutation_pos.push_back(pos(last_));
      std::vector<size_t> perm;
      std::vector<StepMarkers> markers;
      auto step_named = [&](const std::string& name, size_t where, const char* what) {
        size_t i = 0;
        while (i < spec.steps.size() && spec.steps[i].name != name) ++i;
        if (i == spec.steps.size())
          fail(where, std::string(what) + " names step " + name + ", which no session has");
        return i;
      };
      while (at_ < text_.size() && !peek_word("permutation") && is_ident_start(text_[at_])) {
        size_t where = at_;
        std::string name = identifier("a step name");
        size_t i = step_named(name, where, "permutation");
        StepMarkers m;
        if (at_ < text_.size() && text_[at_] == '(') {
          ++at_;
          skip();
          for (;;) {
            if (at_ < text_.size() && text_[at_] == '*') {
              m.once = true;
              ++at_;
              skip();
            } else {
              size_t at = at_;
              std::string other = identifier("a step name or * in the markers of " + name);
              if (peek_word("notices"))
                fail(at_, "a 'notices' marker is not modelled (LISTEN and NOTIFY are not)");
              size_t j = step_named(other, at, "a marker");
              if (spec.steps[j].session == spec.steps[i].session)
                fail(at, "blocker step " + other + " is in the same session as step " + name +
                             " (the isolation tester refuses it)");
              m.blockers.push_back(j);
            }
            if (at_ < text_.size() && text_[at_] == ',') {
              ++at_;
              skip();
              continue;
            }
            if (at_ >= text_.size() || text_[at_] != ')')
              fail(at_, "expected ',' or ')' in the markers of " + name + ", found " + found());
            ++at_;
            skip();
            break;
          }
        }
        perm.push_back(i);
        markers.push_back(std::move(m));
      }
      if (perm.empty()) fail(at_, "expected step names after 'permutation'");
      spec.permutations.push_back(std::move(perm));
      spec.markers.push_back(std::move(markers));
    }
    if (at_ < text_.size())
      fail(at_, "expected 'permutation' or the end of the file, found " + found());
    if (spec.permutations.empty()) generate(spec);
    validate(spec);
    return spec;
  }

 private:
  struct Block {
    std::string text;
    size_t start = 0;  // offset of text[0] in the file
  };

  static bool is_ident_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '"';
  }

  SourcePos pos(size_t offset) const {
    size_t line = 0;
    while (line + 1 < line_starts_.size() && line_starts_[line + 1] <= offset) ++line;
    return SourcePos{file_, static_cast<int>(line + 1),
                     static_cast<int>(offset - line_starts_[line] + 1)};
  }
  [[noreturn]] void fail(size_t offset, const std::string& message) const {
    throw InputError(pos(offset), message);
  }
  // A session's statements: CREATE and DROP SEQUENCE are the spec's
  // setup's and teardown's alone.
  std::vector<Step> no_sequence(std::vector<Step> steps) const {
    for (const Step& st : steps)
      if (std::holds_alternative<SequenceStmt>(st.body))
        throw InputError(SourcePos{file_, st.line, st.column}, kSequenceWhere);
    return steps;
  }

  std::string found() const {
    if (at_ >= text_.size()) return "the end of the file";
    size_t e = at_;
    while (e < text_.size() && !std::isspace(static_cast<unsigned char>(text_[e])) && e - at_ < 20)
      ++e;
    // Never cut a character in two: stop before the continuation bytes.
    while (e > at_ && e < text_.size() && (static_cast<unsigned char>(text_[e]) & 0xc0) == 0x80)
      --e;
    return "'" + printable(std::string_view(text_).substr(at_, std::max<size_t>(e - at_, 1))) + "'";
  }

  // Skips blanks and # comments.
  void skip() {
    while (at_ < text_.size()) {
      if (std::isspace(static_cast<unsigned char>(text_[at_]))) {
        ++at_;
      } else if (text_[at_] == '#') {
        while (at_ < text_.size() && text_[at_] != '\n') ++at_;
      } else {
        break;
      }
    }
  }

  bool peek_word(const char* w) const {
    size_t n = std::char_traits<char>::length(w);
    return text_.compare(at_, n, w) == 0 &&
           (at_ + n >= text_.size() ||
            !(std::isalnum(static_cast<unsigned char>(text_[at_ + n])) || text_[at_ + n] == '_'));
  }
  void word() {
    last_ = at_;
    while (at_ < text_.size() && std::isalpha(static_cast<unsigned char>(text_[at_]))) ++at_;
    skip();
  }

  std::string identifier(const std::string& what) {
    last_ = at_;
    std::string out;
    if (at_ < text_.size() && text_[at_] == '"') {
      size_t end = text_.find('"', at_ + 1);
      if (end == std::string::npos) fail(at_, "this quoted name has no closing \"");
      out = text_.substr(at_ + 1, end - at_ - 1);
      at_ = end + 1;
    } else {
      while (at_ < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[at_])) || text_[at_] == '_'))
        out += text_[at_++];
    }
    if (out.empty()) fail(at_, "expected " + what + ", found " + found());
    skip();
    return out;
  }

  Block block() {
    if (at_ >= text_.size() || text_[at_] != '{')
      fail(at_, "expected '{' to open a block of SQL, found " + found());
    size_t open = at_++;
    size_t depth_quote = 0;
    size_t start = at_;
    for (; at_ < text_.size(); ++at_) {
      char c = text_[at_];
      if (!depth_quote && c == '-' && at_ + 1 < text_.size() && text_[at_ + 1] == '-') {
        // A -- comment runs to the end of its line; a quote or brace in it
        // ("wasn't") is text.
        while (at_ + 1 < text_.size() && text_[at_ + 1] != '\n') ++at_;
        continue;
      }
      if (c == '\'') depth_quote ^= 1;
      if (c == '}' && !depth_quote) break;
    }
    if (at_ >= text_.size()) fail(open, "this block has no closing '}'");
    Block b{text_.substr(start, at_ - start), start};
    ++at_;
    skip();
    return b;
  }

  // Returns s with each -- comment (outside quotes) blanked, every other
  // character where it was, so positions still point into the file.
  static std::string without_comments(const std::string& s) {
    std::string out = s;
    bool quoted = false;
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i] == '\'')
        quoted = !quoted;
      else if (!quoted && out[i] == '-' && i + 1 < out.size() && out[i + 1] == '-')
        for (; i < out.size() && out[i] != '\n'; ++i) out[i] = ' ';
    }
    return out;
  }

  static std::string trim_spaces(const std::string& s) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f'; };
    size_t b = 0, e = s.size();
    while (b < e && space(s[b])) ++b;
    while (e > b && space(s[e - 1])) --e;
    return s.substr(b, e - b);
  }

  // ---- Rule: a data-modifying WITH query the SELECT does not read ------------------
  // WITH t AS (INSERT | UPDATE | DELETE ...) SELECT ... FROM other: the
  // SELECT reads with the statement's snapshot, then the WITH query runs to
  // completion (ExecPostprocessPlan), waiting and re-checking as it would
  // alone; the SELECT never sees its changes. ccsim runs the two as one
  // query of two statements; a failure of the second replaces the rows of
  // the first (they are one result), and its RETURNING prints nothing.
  // RECURSIVE, several WITH queries, a WITH query that is a SELECT, a
  // column list, a main statement other than a SELECT, one with a locking
  // clause and one that names the WITH query are refused by name.
  // Returns where the query's AS ( is, when `flat` is such a statement.
  std::optional<size_t> with_query(const std::string& flat, int origin, int line) const {
    size_t k = flat.find_first_not_of(' ');
    auto word_at = [&](size_t i, const char* w) {
      size_t n = std::strlen(w);
      if (i + n > flat.size()) return false;
      for (size_t j = 0; j < n; ++j)
        if (std::toupper(static_cast<unsigned char>(flat[i + j])) != w[j]) return false;
      return i + n == flat.size() ||
             !(std::isalnum(static_cast<unsigned char>(flat[i + n])) || flat[i + n] == '_');
    };
    auto refuse = [&](size_t i, const std::string& what) {
      throw InputError(SourcePos{file_, line, origin + static_cast<int>(i)}, what);
    };
    auto skip = [&](size_t i) {
      while (i < flat.size() && flat[i] == ' ') ++i;
      return i;
    };
    if (k == std::string::npos || !word_at(k, "WITH")) return std::nullopt;
    k = skip(k + 4);
    if (word_at(k, "RECURSIVE")) refuse(k, "WITH RECURSIVE is not modelled");
    size_t name_at = k;
    if (k < flat.size() && flat[k] == '"') {
      k = flat.find('"', k + 1);
      if (k == std::string::npos) refuse(name_at, "expected a WITH query's name");
      ++k;
    } else {
      while (k < flat.size() &&
             (std::isalnum(static_cast<unsigned char>(flat[k])) || flat[k] == '_'))
        ++k;
    }
    if (k == name_at) refuse(name_at, "expected a WITH query's name after WITH");
    with_name_ = flat.substr(name_at, k - name_at);
    k = skip(k);
    if (k < flat.size() && flat[k] == '(') refuse(k, "a WITH query's column list is not modelled");
    if (!word_at(k, "AS")) refuse(k, "expected AS after the WITH query's name");
    k = skip(k + 2);
    if (word_at(k, "NOT")) k = skip(k + 3);
    if (word_at(k, "MATERIALIZED")) k = skip(k + 12);
    if (k >= flat.size() || flat[k] != '(') refuse(k, "expected '(' to open the WITH query");
    size_t close = matching(flat, k);
    if (close == std::string::npos) refuse(k, "this WITH query has no closing ')'");
    size_t after = skip(close + 1);
    if (after < flat.size() && flat[after] == ',')
      refuse(after, "several WITH queries are not modelled");
    return k;
  }

  // Where the parenthesis at `open` closes (outside quotes), or npos.
  static size_t matching(const std::string& s, size_t open) {
    int depth = 0;
    char quote = 0;
    for (size_t i = open; i < s.size(); ++i) {
      char c = s[i];
      if (quote) {
        if (c == quote) quote = 0;
        continue;
      }
      if (c == '\'' || c == '"')
        quote = c;
      else if (c == '(')
        ++depth;
      else if (c == ')' && --depth == 0)
        return i;
    }
    return std::string::npos;
  }

  void check_with(const Step& main, Step& dml, const std::string& flat, const std::string& outer,
                  int origin, int line, size_t inner_at, size_t main_at) const {
    auto refuse = [&](size_t i, const std::string& what) {
      throw InputError(SourcePos{file_, line, origin + static_cast<int>(i)}, what);
    };
    size_t first = flat.find_first_not_of(' ', inner_at);
    bool modifies = std::holds_alternative<InsertStmt>(dml.body) ||
                    std::holds_alternative<UpdateStmt>(dml.body) ||
                    std::holds_alternative<DeleteStmt>(dml.body);
    if (!modifies)
      refuse(first, "a WITH query other than INSERT, UPDATE or DELETE is not modelled");
    const auto* select = std::get_if<SelectStmt>(&main.body);
    if (!select) refuse(main_at, "a statement after WITH other than a SELECT is not modelled");
    if (select->lock)
      refuse(main_at, "a SELECT with a locking clause after a WITH query is not modelled");
    // A statement that reads the WITH query's rows: refused. Its name as a
    // word anywhere outside quotes is taken as a read.
    std::string name = with_name_;
    bool quoted_name = !name.empty() && name.front() == '"';
    if (quoted_name) name = name.substr(1, name.size() - 2);
    char quote = 0;
    for (size_t i = main_at; i < outer.size(); ++i) {
      char c = outer[i];
      if (quote) {
        if (c == quote) quote = 0;
        continue;
      }
      if (c == '\'') {
        quote = c;
        continue;
      }
      bool start = i == 0 || !(std::isalnum(static_cast<unsigned char>(outer[i - 1])) ||
                               outer[i - 1] == '_' || outer[i - 1] == '"');
      if (!start) continue;
      size_t at = c == '"' ? i + 1 : i;
      if (at + name.size() > outer.size()) continue;
      bool same = true;
      for (size_t j = 0; j < name.size() && same; ++j) {
        char a = outer[at + j], b = name[j];
        same = quoted_name || c == '"' ? a == b
                                       : std::tolower(static_cast<unsigned char>(a)) ==
                                             std::tolower(static_cast<unsigned char>(b));
      }
      size_t end = at + name.size();
      bool whole = end == outer.size() ||
                   !(std::isalnum(static_cast<unsigned char>(outer[end])) || outer[end] == '_');
      if (same && whole)
        refuse(i, "a statement that reads its WITH query (" + with_name_ + ") is not modelled");
    }
    // Its RETURNING goes nowhere: the SELECT is the query's result.
    std::visit(
        [](auto& b) {
          if constexpr (requires { b.returning; }) b.returning.reset();
        },
        dml.body);
  }

  // Splits a block into statements at ';' (outside quotes and comments) and
  // parses each; positions point into the file even for multi-line statements.
  std::vector<Step> statements(const Block& b) {
    std::vector<Step> out;
    size_t i = 0, start = 0;
    bool quoted = false;
    auto flush = [&](size_t end) {
      // Comments go first: flattened onto one line, a comment line would
      // swallow the statement after it.
      std::string flat = without_comments(b.text.substr(start, end - start));
      for (char& c : flat)
        if (c == '\n' || c == '\t' || c == '\r') c = ' ';
      size_t first = flat.find_first_not_of(' ');
      if (first != std::string::npos) {
        // The tokens' columns count from where the statement starts in the
        // file, so the checks after parsing (validate_program) point at the
        // right column of a statement on one line.
        SourcePos p = pos(b.start + start + first);
        int origin = p.column - static_cast<int>(first);
        try {
          if (std::optional<size_t> with = with_query(flat, origin, p.line)) {
            // The SELECT, then its WITH query: flat with the other part blanked.
            std::string outer = flat, inner = flat;
            size_t open = flat.find('(', *with), close = matching(flat, open);
            for (size_t k = 0; k <= close; ++k) outer[k] = ' ';
            for (size_t k = 0; k < flat.size(); ++k)
              if (k <= open || k >= close) inner[k] = ' ';
            size_t at = outer.find_first_not_of(' ');
            Step main = parse_step(outer, SourcePos{file_, p.line, origin});
            Step dml = parse_step(inner, SourcePos{file_, p.line, origin});
            check_with(main, dml, flat, outer, origin, p.line, open + 1, at);
            for (Step* s : {&main, &dml}) {
              s->line = p.line;
              s->column = p.column;
            }
            dml.with_query = true;
            out.push_back(std::move(main));
            out.push_back(std::move(dml));
            start = end + 1;
            return;
          }
          Step s = parse_step(flat, SourcePos{file_, p.line, origin});
          s.line = p.line;
          s.column = p.column;
          // Each later line: where it starts in the flat text, for messages
          // after parsing (validate_program) that point past the first line.
          for (size_t k = first; k < flat.size(); ++k)
            if (b.text[start + k] == '\n')
              s.wraps.emplace_back(origin + static_cast<int>(k) + 1,
                                   pos(b.start + start + k + 1).line);
          out.push_back(std::move(s));
        } catch (const InputError& e) {
          throw InputError(pos(b.start + start + static_cast<size_t>(e.pos().column - origin)),
                           e.message());
        }
      }
      start = end + 1;
    };
    for (; i < b.text.size(); ++i) {
      char c = b.text[i];
      if (c == '\'') quoted = !quoted;
      if (!quoted && c == '-' && i + 1 < b.text.size() && b.text[i + 1] == '-')
        while (i < b.text.size() && b.text[i] != '\n') ++i;
      if (!quoted && i < b.text.size() && b.text[i] == ';') flush(i);
    }
    flush(b.text.size());
    return out;
  }

  // ---- Rule: an implicit transaction holds no transaction control ----------
  // PostgreSQL runs a step of several statements outside a block as one
  // implicit transaction (implicit_transactions). A BEGIN, COMMIT, ROLLBACK
  // or savepoint inside it changes that block in ways not modelled (COMMIT
  // warns and ends it, BEGIN turns it into an open block, SAVEPOINT fails):
  // refused.
  void refuse_control_in_implicit(const SpecFile& spec) const {
    std::vector<std::vector<bool>> implicit = implicit_transactions(spec);
    for (size_t p = 0; p < spec.permutations.size(); ++p)
      for (size_t k = 0; k < spec.permutations[p].size(); ++k) {
        if (!implicit[p][k]) continue;
        const SpecStep& step = spec.steps[spec.permutations[p][k]];
        for (const Step& st : step.steps)
          if (std::holds_alternative<BeginStmt>(st.body) ||
              std::holds_alternative<CommitStmt>(st.body) ||
              std::holds_alternative<RollbackStmt>(st.body) ||
              std::holds_alternative<SavepointStmt>(st.body))
            throw InputError(SourcePos{file_, st.line, st.column},
                             "step " + step.name +
                                 " runs outside a transaction block as one implicit transaction "
                                 "(its several statements commit together); transaction control "
                                 "inside it is not modelled: begin a block first, or give the "
                                 "statement a step of its own");
      }
  }

  // Runs the setup in a scratch world and checks every session's statements
  // against the tables it makes, so a bad name stops the spec before it runs.
  void validate(const SpecFile& spec) const {
    refuse_control_in_implicit(spec);
    World w;
    try {
      run_setup(w, Program{file_, spec.setup});
    } catch (const SetupFailure& e) {
      throw InputError(e.pos(), std::string("setup failed: ") + e.what());
    }
    for (size_t s = 0; s < spec.sessions.size(); ++s) {
      Program prog{file_, spec.sessions[s].setup};
      for (size_t i : spec.sessions[s].steps)
        for (const Step& st : spec.steps[i].steps) prog.steps.push_back(st);
      for (const Step& t : spec.sessions[s].teardown) prog.steps.push_back(t);
      validate_program(prog, w.store, std::set<std::string>{"rowcount"});
    }
  }

  static void append(std::vector<Step>& to, std::vector<Step> from) {
    for (Step& s : from) to.push_back(std::move(s));
  }

  // Every interleaving that keeps each session's steps in order, in the order
  // PostgreSQL's isolationtester lists them (earlier sessions first).
  void generate(SpecFile& spec) {
    std::vector<size_t> next(spec.sessions.size(), 0), current;
    size_t total = spec.steps.size();
    std::function<void()> recurse = [&] {
      if (spec.permutations.size() > kSpecPermutationsMax)
        throw InputError(SourcePos{file_, 0, 0},
                         "this spec has more than " + std::to_string(kSpecPermutationsMax) +
                             " permutations; list the ones to run with 'permutation' lines");
      if (current.size() == total) {
        spec.permutations.push_back(current);
        spec.markers.emplace_back(current.size());
        spec.permutation_pos.push_back(SourcePos{file_, 0, 0});
        return;
      }
      for (size_t s = 0; s < spec.sessions.size(); ++s) {
        if (next[s] >= spec.sessions[s].steps.size()) continue;
        current.push_back(spec.sessions[s].steps[next[s]++]);
        recurse();
        --next[s];
        current.pop_back();
      }
    };
    recurse();
  }

  const std::string& text_;
  std::string file_;
  mutable std::string with_name_;  // the WITH query's name, as written (with_query)
  std::vector<size_t> line_starts_;
  size_t at_ = 0;
  size_t last_ = 0;
};

}  // namespace

std::vector<std::vector<bool>> implicit_transactions(const SpecFile& spec) {
  std::vector<bool> in_block(spec.sessions.size(), false);
  auto apply = [](const Step& st, bool open) {
    if (std::holds_alternative<BeginStmt>(st.body)) return true;
    if (std::holds_alternative<CommitStmt>(st.body) ||
        std::holds_alternative<RollbackStmt>(st.body))
      return false;
    return open;
  };
  std::vector<std::vector<bool>> out;
  for (const std::vector<size_t>& perm : spec.permutations) {
    for (size_t s = 0; s < spec.sessions.size(); ++s)
      for (const Step& st : spec.sessions[s].setup) in_block[s] = apply(st, in_block[s]);
    std::vector<bool>& implicit = out.emplace_back(perm.size(), false);
    for (size_t k = 0; k < perm.size(); ++k) {
      const SpecStep& step = spec.steps[perm[k]];
      bool open = in_block[step.session];
      implicit[k] = step.steps.size() > 1 && !open &&
                    !std::holds_alternative<BeginStmt>(step.steps.front().body);
      // A whole implicit transaction leaves no block open.
      if (!implicit[k])
        for (const Step& st : step.steps) open = apply(st, open);
      in_block[step.session] = open;
    }
    for (size_t s = 0; s < spec.sessions.size(); ++s)
      for (const Step& st : spec.sessions[s].teardown) in_block[s] = apply(st, in_block[s]);
  }
  return out;
}

SpecFile parse_spec(const std::string& text, const std::string& file) {
  if (auto why = not_text_reason(text)) throw InputError(SourcePos{file, 0, 0}, *why);
  // isolationtester's scanner stops at the first byte of a UTF-8 byte-order
  // mark (an unexpected character), so a spec must not start with one.
  if (text.rfind("\xef\xbb\xbf", 0) == 0)
    throw InputError(SourcePos{file, 1, 1},
                     "the file starts with a UTF-8 byte-order mark, which PostgreSQL's "
                     "isolationtester refuses: save the spec without it");
  return SpecParser(text, file).parse();
}

}  // namespace ccsim
