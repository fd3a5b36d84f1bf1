package recipient

import (
	"fmt"

	"github.com/firebreak/firebreak/domain/errs"
)

// ErrBadHeader: the header row cannot be used (missing, no email column, an
// unnamed or repeated column, not text, not CSV, too long). Nothing is imported.
var ErrBadHeader = errs.New(errs.Invalid, "bad_csv_header",
	"The CSV needs a header row with an email column (email,first_name,last_name,segments,…).")

// ErrTooManyColumns: the header has more than MaxColumns columns. Nothing is imported.
var ErrTooManyColumns = errs.New(errs.Invalid, "too_many_columns",
	fmt.Sprintf("The CSV has more than %d columns.", MaxColumns))

// HeaderError is why a file's header row was refused: errors.Is matches its
// sentinel (ErrBadHeader or ErrTooManyColumns) and errs.Invalid (422). The API
// answers its sentinel's code, Message as the message, and Details, whose
// "problem" is stable for clients: empty_file, no_email_column,
// unnamed_column, duplicate_column, column_name_too_long, nul_byte, not_utf8,
// not_valid_csv, header_too_long, too_many_columns.
type HeaderError struct {
	Kind    *errs.E
	Problem string
	Message string
	Extra   map[string]any // more details: column, name, columns, max_columns
}

func (e *HeaderError) Error() string { return e.Message }

// Is makes errors.Is(err, ErrBadHeader) (or ErrTooManyColumns) true.
func (e *HeaderError) Is(target error) bool { return target == e.Kind }

// Unwrap makes errors.Is(err, errs.Invalid) true.
func (e *HeaderError) Unwrap() error { return errs.Invalid }

// Code is the sentinel's API code.
func (e *HeaderError) Code() string { return e.Kind.Code }

// Details names the problem and, where there is one, the column.
func (e *HeaderError) Details() map[string]any {
	d := map[string]any{"problem": e.Problem}
	for k, v := range e.Extra {
		d[k] = v
	}
	return d
}

func badHeader(problem, format string, args ...any) *HeaderError {
	return &HeaderError{Kind: ErrBadHeader, Problem: problem, Message: fmt.Sprintf(format, args...)}
}

// badColumn is a bad header naming column i (from 0) of the file.
func badColumn(i int, problem, format string, args ...any) *HeaderError {
	e := badHeader(problem, format, args...)
	e.Extra = map[string]any{"column": i + 1}
	return e
}

func tooManyColumns(n int) *HeaderError {
	return &HeaderError{Kind: ErrTooManyColumns, Problem: "too_many_columns",
		Message: fmt.Sprintf("The CSV has %d columns; at most %d are accepted (email, first_name, last_name, segments and attributes).", n, MaxColumns),
		Extra:   map[string]any{"columns": n, "max_columns": MaxColumns}}
}
