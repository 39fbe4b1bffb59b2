#include "sslflow/nn/application.hpp"

namespace sslflow::nn {

namespace {
thread_local int application = -1;
}

int current_application() { return application; }

ApplicationScope::ApplicationScope(int index) : previous_(application) { application = index; }
ApplicationScope::~ApplicationScope() { application = previous_; }

}  // namespace sslflow::nn
