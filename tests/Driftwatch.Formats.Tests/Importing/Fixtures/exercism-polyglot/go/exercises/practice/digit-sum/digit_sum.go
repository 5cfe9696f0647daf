package digitsum

func DigitSum(number string, base int) (int, error) {
	panic("Please implement the DigitSum function")
}
