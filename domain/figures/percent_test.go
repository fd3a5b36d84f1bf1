package figures

import "testing"

func TestPercentRoundsLikeTheDashboard(t *testing.T) {
	cases := map[float64]string{
		50.0 / 320:  "15.63 %", // an exact half: %.2f alone says 15.62
		11.0 / 3431: "0.32 %",
		0.003:       "0.30 %",
		0:           "0.00 %",
		1:           "100.00 %",
		0.000049:    "0.00 %",
		0.00005:     "0.01 %",
	}
	for in, want := range cases {
		if got := Percent(in); got != want {
			t.Errorf("Percent(%v) = %q, want %q", in, got, want)
		}
	}
}
