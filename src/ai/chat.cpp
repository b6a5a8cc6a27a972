#include "ai/chat.h"

namespace vcfagent::ai {

std::string_view ToString(Role role) {
  switch (role) {
    case Role::kSystem: return "system";
    case Role::kUser: return "user";
    case Role::kAssistant: return "assistant";
    case Role::kTool: return "tool";
  }
  return "user";
}

std::string_view ToString(StopReason reason) {
  switch (reason) {
    case StopReason::kEndTurn: return "end_turn";
    case StopReason::kToolUse: return "tool_use";
    case StopReason::kMaxTokens: return "max_tokens";
    case StopReason::kOther: return "other";
  }
  return "other";
}

std::string_view ToString(FailureClass failure) {
  switch (failure) {
    case FailureClass::kNone: return "none";
    case FailureClass::kRateLimited: return "rate_limited";
    case FailureClass::kServer: return "server_error";
    case FailureClass::kTimeout: return "timeout";
    case FailureClass::kConnection: return "connection";
    case FailureClass::kAuth: return "auth";
    case FailureClass::kBadRequest: return "bad_request";
    case FailureClass::kBadResponse: return "bad_response";
    case FailureClass::kCircuitOpen: return "circuit_open";
    case FailureClass::kNotConfigured: return "not_configured";
  }
  return "none";
}

bool IsTransient(FailureClass failure) {
  return failure == FailureClass::kRateLimited || failure == FailureClass::kServer ||
         failure == FailureClass::kTimeout || failure == FailureClass::kConnection;
}

}  // namespace vcfagent::ai
