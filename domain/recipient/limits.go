package recipient

// The import's limits, documented in docs/api.md. They keep one upload from
// taking the server's memory (a row is held whole only up to MaxRecordBytes)
// and keep every stored value within what Postgres indexes and what a merge
// tag sensibly holds. A row over a limit is rejected with its line and the
// import goes on; a header over one refuses the file (nothing is imported).
const (
	// MaxRecordBytes caps one CSV record (a row, quoted newlines included), as
	// bytes in the file. A longer record is skipped without being buffered.
	MaxRecordBytes = 64 << 10
	// MaxColumns caps the header's columns: email, names, segments and attributes.
	MaxColumns = 200
	// MaxColumnNameChars caps a header name, which becomes an attribute key.
	MaxColumnNameChars = 128
	// MaxEmailChars is the longest address accepted (RFC 3696's 64 + 1 + 255);
	// the unique index on email cannot take arbitrarily long keys.
	MaxEmailChars = 320
	// MaxNameChars caps first_name and last_name.
	MaxNameChars = 256
	// MaxSegmentChars caps one segment name (the segments' GIN index has an
	// entry size limit).
	MaxSegmentChars = 256
	// MaxAttributeChars caps one attribute value.
	MaxAttributeChars = 4096
)
