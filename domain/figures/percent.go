// Package figures formats numbers the way the dashboard shows them, so a
// sentence the server writes (an incident's title, a timeline entry, an
// alert) never says 15.62 % where the page next to it says 15.63 %.
package figures

import (
	"fmt"
	"math"
)

// Percent is ratio as a percentage with two decimals, rounded half away from
// zero like the dashboard's formatRate (JavaScript's toFixed): 0.15625 is
// "15.63 %", where fmt's %.2f would round the exact half to even, "15.62 %".
func Percent(ratio float64) string { return PercentNumber(ratio) + " %" }

// PercentNumber is Percent without the sign: "15.63".
func PercentNumber(ratio float64) string {
	return fmt.Sprintf("%.2f", math.Round(ratio*10000)/100)
}
