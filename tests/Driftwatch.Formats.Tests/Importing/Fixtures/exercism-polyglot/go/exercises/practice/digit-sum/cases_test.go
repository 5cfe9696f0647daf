package digitsum

var testCases = []struct {
	description string
	number      string
	base        int
	expected    int
	expectError bool
}{
	{description: "single decimal digit", number: "7", base: 10, expected: 7},
	{description: "several decimal digits", number: "1234", base: 10, expected: 10},
	{description: "binary", number: "1011", base: 2, expected: 3},
	{description: "hexadecimal in lower case", number: "ff", base: 16, expected: 30},
	{description: "hexadecimal in upper case", number: "FF", base: 16, expected: 30},
	{description: "digit too large for the base", number: "12", base: 2, expectError: true},
	{description: "empty number", number: "", base: 10, expectError: true},
	{description: "base too small", number: "0", base: 1, expectError: true},
}
