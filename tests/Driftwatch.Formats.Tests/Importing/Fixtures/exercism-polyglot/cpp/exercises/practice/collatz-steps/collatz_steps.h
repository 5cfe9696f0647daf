#if !defined(COLLATZ_STEPS_H)
#define COLLATZ_STEPS_H

namespace collatz_steps {

}  // namespace collatz_steps

#endif  // COLLATZ_STEPS_H
