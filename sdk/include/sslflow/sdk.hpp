// The sslflow sdk: everything a plugin author needs, in one header.
#pragma once

#include "sslflow/autograd.hpp"
#include "sslflow/error.hpp"
#include "sslflow/init.hpp"
#include "sslflow/interfaces/ema_scheduler.hpp"
#include "sslflow/interfaces/loss.hpp"
#include "sslflow/module.hpp"
#include "sslflow/ops.hpp"
#include "sslflow/params.hpp"
#include "sslflow/plugin.hpp"
#include "sslflow/random.hpp"
#include "sslflow/registry.hpp"
#include "sslflow/tensor.hpp"
#include "sslflow/value.hpp"
#include "sslflow/version.hpp"
