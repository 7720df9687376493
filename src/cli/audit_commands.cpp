// qualsig audit verify | prove SEQ | checkpoint | show SEQ | consistency | note

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli/cli_support.h"
#include "service/audit_service.h"

namespace qualsig::cli {
namespace {

std::string b64(const audit::Hash& h) { return base64_encode(ByteView(h.data(), h.size())); }

nlohmann::json proof_json(const audit::Proof& proof) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& h : proof) out.push_back(b64(h));
  return out;
}


int verify(Globals& g, const std::string& key_file) {
  auto svc = open_service(g);
  if (!svc) return g.out.error(svc.error());
  std::optional<std::filesystem::path> key;
  if (!key_file.empty()) key = key_file;
  auto log_key = service::audit_log_key(**svc, key);
  if (!log_key) return g.out.error(log_key.error());
  // Progress on a terminal only (CLI.md).
  bool tty = ::isatty(STDOUT_FILENO) == 1 && !g.out.json;
  auto progress = [tty](std::uint64_t n) {
    if (tty) std::cerr << "\rverifying: " << n << " entries" << std::flush;
  };
  auto v = service::verify_audit_log(**svc, log_key->verifier, progress);
  if (tty) std::cerr << "\r" << std::string(40, ' ') << "\r";
  if (!v) return g.out.error(v.error());
  if (g.out.json) {
    g.out.print_json({{"verified", v->ok},
                      {"entries", v->entries},
                      {"checkpoints", v->checkpoints},
                      {"root", b64(v->root)},
                      {"log_key", log_key->source},
                      {"first_bad_entry", v->first_bad_entry ? nlohmann::json(*v->first_bad_entry) : nlohmann::json(nullptr)},
                      {"problem", v->problem.empty() ? nlohmann::json(nullptr) : nlohmann::json(v->problem)}});
  } else if (v->ok) {
    std::cout << "audit log verified: " << v->entries << " entries, " << v->checkpoints
              << " signed checkpoint(s), root " << b64(v->root) << "\nlog key from " << log_key->source << "\n";
  } else {
    std::cout << "audit log NOT verified after " << v->entries << " entries\n";
  }
  if (!v->ok) {
    std::cerr << "error: audit log verification failed: " << v->problem << std::endl;
    return kExitNegative;
  }
  return kExitOk;
}

int prove(Globals& g, std::uint64_t seq) {
  auto svc = open_service(g);
  if (!svc) return g.out.error(svc.error());
  auto log = (*svc)->audit_log();
  if (!log) return g.out.error(log.error());
  auto p = (*log)->prove(seq, now_seconds());
  if (!p) return g.out.error(p.error());
  if (g.out.json) {
    g.out.print_json({{"seq", seq},
                      {"entry", p->entry.entry},
                      {"leaf_hash", b64(p->entry.leaf_hash)},
                      {"tree_size", p->tree_size},
                      {"inclusion_proof", proof_json(p->proof)},
                      {"checkpoint", p->checkpoint}});
  } else {
    std::cout << "entry " << seq << ": " << p->entry.entry << "\nleaf hash " << b64(p->entry.leaf_hash)
              << "\ninclusion proof in tree of size " << p->tree_size << " (RFC 9162 §2.1.3):\n";
    for (const auto& h : p->proof) std::cout << "  " << b64(h) << "\n";
    std::cout << "checkpoint:\n" << p->checkpoint;
  }
  return kExitOk;
}

int checkpoint(Globals& g) {
  auto svc = open_service(g);
  if (!svc) return g.out.error(svc.error());
  auto log = (*svc)->audit_log();
  if (!log) return g.out.error(log.error());
  auto cp = (*log)->checkpoint(now_seconds());
  if (!cp) return g.out.error(cp.error());
  if (g.out.json) {
    g.out.print_json({{"tree_size", cp->tree_size}, {"root", base64_encode(cp->root_hash)}, {"time", to_rfc3339(cp->time)},
                      {"checkpoint", cp->note}});
  } else {
    std::cout << cp->note;
  }
  return kExitOk;
}

int show(Globals& g, std::uint64_t seq) {
  auto svc = open_service(g);
  if (!svc) return g.out.error(svc.error());
  auto row = (*svc)->store().log_row(seq);
  if (!row) return g.out.error(row.error());
  if (g.out.json) {
    g.out.print_json({{"seq", seq}, {"entry", row->entry}, {"leaf_hash", base64_encode(row->leaf_hash)}});
  } else {
    std::cout << row->entry << "\n";
  }
  return kExitOk;
}

int consistency(Globals& g, std::uint64_t from, std::uint64_t to) {
  auto svc = open_service(g);
  if (!svc) return g.out.error(svc.error());
  auto log = (*svc)->audit_log();
  if (!log) return g.out.error(log.error());
  if (to == 0) to = (*log)->size();
  auto proof = (*log)->consistency_proof(from, to);
  if (!proof) return g.out.error(proof.error());
  auto r1 = (*log)->root_at(from);
  auto r2 = (*log)->root_at(to);
  if (!r1 || !r2) return g.out.error(make_error(ErrorCode::internal, "root unavailable"));
  if (g.out.json) {
    g.out.print_json({{"from", from}, {"to", to}, {"from_root", b64(*r1)}, {"to_root", b64(*r2)},
                      {"consistency_proof", proof_json(*proof)}});
  } else {
    std::cout << "consistency proof from size " << from << " (root " << b64(*r1) << ") to " << to << " (root "
              << b64(*r2) << "), RFC 9162 §2.1.4:\n";
    for (const auto& h : *proof) std::cout << "  " << b64(h) << "\n";
  }
  return kExitOk;
}

int note(Globals& g, const std::string& text) {
  auto svc = open_service(g);
  if (!svc) return g.out.error(svc.error());
  auto log = (*svc)->audit_log();
  if (!log) return g.out.error(log.error());
  audit::EntryDraft d;
  d.event = audit::EventType::operator_note;
  d.actor = operator_actor();
  d.subject = "service";
  d.details = {{"text", text}};
  auto e = (*log)->append(d, now_seconds());
  if (!e) return g.out.error(e.error());
  if (g.out.json) g.out.print_json({{"seq", e->seq}, {"leaf_hash", b64(e->leaf_hash)}});
  else std::cout << "logged as entry " << e->seq << "\n";
  return kExitOk;
}

}  // namespace

void add_audit_commands(CLI::App& app, Globals& g, Action& action) {
  auto* audit = app.add_subcommand("audit", "the tamper-evident audit log");
  audit->require_subcommand(1);

  auto* v = audit->add_subcommand("verify", "recompute the whole log, check every checkpoint, name the first bad entry");
  auto key = std::make_shared<std::string>();
  v->add_option("--key", *key, "PEM public key of the log (default: the token's audit-log key)");
  v->callback([=, &g, &action] { action = [=, &g] { return verify(g, *key); }; });

  auto* p = audit->add_subcommand("prove", "entry SEQ with its inclusion proof to a signed checkpoint");
  auto seq = std::make_shared<std::uint64_t>(0);
  p->add_option("seq", *seq, "sequence number of the entry")->required();
  p->callback([=, &g, &action] { action = [=, &g] { return prove(g, *seq); }; });

  auto* c = audit->add_subcommand("checkpoint", "sign (if the log grew) and print the current checkpoint");
  c->callback([&g, &action] { action = [&g] { return checkpoint(g); }; });

  auto* s = audit->add_subcommand("show", "print entry SEQ");
  auto show_seq = std::make_shared<std::uint64_t>(0);
  s->add_option("seq", *show_seq, "sequence number")->required();
  s->callback([=, &g, &action] { action = [=, &g] { return show(g, *show_seq); }; });

  auto* k = audit->add_subcommand("consistency", "consistency proof between two tree sizes");
  auto from = std::make_shared<std::uint64_t>(0), to = std::make_shared<std::uint64_t>(0);
  k->add_option("--from", *from, "earlier tree size")->required();
  k->add_option("--to", *to, "later tree size (default: current)");
  k->callback([=, &g, &action] { action = [=, &g] { return consistency(g, *from, *to); }; });

  auto* n = audit->add_subcommand("note", "log an operator note (e.g. a key ceremony witnessed)");
  auto text = std::make_shared<std::string>();
  n->add_option("--text", *text, "the note")->required();
  n->callback([=, &g, &action] { action = [=, &g] { return note(g, *text); }; });
}

}  // namespace qualsig::cli
