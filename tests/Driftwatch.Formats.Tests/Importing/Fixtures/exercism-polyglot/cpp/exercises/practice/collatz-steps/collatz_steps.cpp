#include "collatz_steps.h"

namespace collatz_steps {

}  // namespace collatz_steps
