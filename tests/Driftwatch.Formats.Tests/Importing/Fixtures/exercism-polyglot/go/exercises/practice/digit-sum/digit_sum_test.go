package digitsum

import "testing"

func TestDigitSum(t *testing.T) {
	for _, tc := range testCases {
		t.Run(tc.description, func(t *testing.T) {
			actual, err := DigitSum(tc.number, tc.base)
			if tc.expectError {
				if err == nil {
					t.Fatalf("DigitSum(%q, %d) expected an error, got %d", tc.number, tc.base, actual)
				}
				return
			}
			if err != nil {
				t.Fatalf("DigitSum(%q, %d) returned error %v", tc.number, tc.base, err)
			}
			if actual != tc.expected {
				t.Fatalf("DigitSum(%q, %d) = %d, want %d", tc.number, tc.base, actual, tc.expected)
			}
		})
	}
}
