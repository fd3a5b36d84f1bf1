package fbbench

import (
	"bufio"
	"io"
	"strconv"
	"time"
)

// The three segments of the main audience; every fifth row is in two of them,
// so the audience query's array overlap matters.
var segmentsOf = [3]string{"alpha", "beta", "gamma"}

var (
	firstNames = []string{"Ana", "Bo", "Chen", "Dara", "Emeka", "Fatima", "Gus", "Hana", "Ivo", "Jia", "Kofi", "Lena", "Mateo", "Nour", "Olga", "Priya"}
	lastNames  = []string{"Silva", "Berg", "Wang", "Okafor", "Haddad", "Novak", "Ito", "Moreau", "Rossi", "Kowalski", "Nguyen", "Schmidt"}
	cities     = []string{"Porto", "Lisbon", "Lagos", "Osaka", "Lyon", "Turin", "Gdansk", "Hanoi", "Leipzig", "Quito", "Austin", "Perth"}
)

// csvRows streams a recipients CSV of n rows (header email,first_name,
// last_name,segments,city) through an io.Pipe: the rows are generated while
// Import reads them, and never held in memory. Addresses are
// PREFIX0000001@bench.example…; the same (n, prefix, segment) always gives the
// same file, so a second import of it updates every row. segment, when not
// empty, puts every row in that one segment instead of the three above.
//
// The caller must Close the reader: that also stops the generator if the
// import ended before reading everything. consumed receives the moment the
// reader took the last byte (pipe writes return only once read), if it did.
func csvRows(n int, prefix, segment string) (_ io.ReadCloser, consumed <-chan time.Time) {
	pr, pw := io.Pipe()
	done := make(chan time.Time, 1)
	go func() {
		w := bufio.NewWriterSize(pw, 64<<10)
		_, _ = w.WriteString("email,first_name,last_name,segments,city\n")
		line := make([]byte, 0, 128)
		for i := 1; i <= n; i++ {
			line = appendRow(line[:0], i, prefix, segment)
			if _, err := w.Write(line); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		err := w.Flush()
		if err == nil {
			done <- time.Now()
		}
		pw.CloseWithError(err) // nil: EOF for the reader
	}()
	return pr, done
}

// appendRow appends row i of the file to b.
func appendRow(b []byte, i int, prefix, segment string) []byte {
	b = append(b, prefix...)
	b = appendPadded(b, i, 7)
	b = append(b, "@bench.example,"...)
	b = append(b, firstNames[i%len(firstNames)]...)
	b = append(b, ',')
	b = append(b, lastNames[(i/7)%len(lastNames)]...)
	b = append(b, ',')
	switch {
	case segment != "":
		b = append(b, segment...)
	case i%5 == 0:
		b = append(b, segmentsOf[i%3]...)
		b = append(b, ';')
		b = append(b, segmentsOf[(i+1)%3]...)
	default:
		b = append(b, segmentsOf[i%3]...)
	}
	b = append(b, ',')
	b = append(b, cities[(i/3)%len(cities)]...)
	return append(b, '\n')
}

// appendPadded appends i in decimal, zero-padded to width digits.
func appendPadded(b []byte, i, width int) []byte {
	var d [20]byte
	s := strconv.AppendInt(d[:0], int64(i), 10)
	for k := len(s); k < width; k++ {
		b = append(b, '0')
	}
	return append(b, s...)
}
