#if !defined(COLLATZ_STEPS_H)
#define COLLATZ_STEPS_H

#include <stdexcept>

namespace collatz_steps {

inline int steps(long long n) {
    if (n < 1) throw std::domain_error("only positive numbers have a Collatz sequence");
    int count = 0;
    while (n != 1) {
        n = n % 2 == 0 ? n / 2 : 3 * n + 1;
        ++count;
    }
    return count;
}

}  // namespace collatz_steps

#endif  // COLLATZ_STEPS_H
