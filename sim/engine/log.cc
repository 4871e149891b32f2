#include "engine/log.h"

namespace ccsim {

const char* to_string(EventKind k) {
  switch (k) {
    case EventKind::kStep:
      return "step";
    case EventKind::kWait:
      return "wait";
    case EventKind::kResume:
      return "resume";
    case EventKind::kCommit:
      return "commit";
    case EventKind::kRollback:
      return "rollback";
    case EventKind::kError:
      return "error";
    case EventKind::kDropped:
      return "dropped";
    case EventKind::kRetry:
      return "retry";
    case EventKind::kGaveUp:
      return "gave_up";
    case EventKind::kRestart:
      return "restart";
    case EventKind::kCrash:
      return "crash";
    case EventKind::kFinish:
      return "finish";
  }
  return "?";
}

}  // namespace ccsim
