package digitsum

import (
	"errors"
	"strings"
)

// DigitSum adds up the digits of number, written in base.
func DigitSum(number string, base int) (int, error) {
	if base < 2 || base > 36 {
		return 0, errors.New("base must be between 2 and 36")
	}
	if number == "" {
		return 0, errors.New("empty number")
	}
	sum := 0
	for _, r := range strings.ToLower(number) {
		var digit int
		switch {
		case r >= '0' && r <= '9':
			digit = int(r - '0')
		case r >= 'a' && r <= 'z':
			digit = int(r-'a') + 10
		default:
			return 0, errors.New("not a digit")
		}
		if digit >= base {
			return 0, errors.New("digit out of range for the base")
		}
		sum += digit
	}
	return sum, nil
}
