package api

import (
	"encoding/csv"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/firebreak/firebreak/domain/assess"
)

// affectedRecipient is one row of GET /api/v1/incidents/{id}/affected.
type affectedRecipient struct {
	RecipientID string       `json:"recipient_id"`
	Email       string       `json:"email"`
	Segments    []string     `json:"segments"`
	State       assess.State `json:"state"`
	HandedAt    *time.Time   `json:"handed_at"`
	SendAt      *time.Time   `json:"send_at"`
}

// affectedResponse is one page: Next is the recipient_id to pass as ?after=
// for the following page, null on the last.
type affectedResponse struct {
	Recipients []affectedRecipient `json:"recipients"`
	Next       *string             `json:"next"`
}

func toAffectedRecipient(a assess.Affected) affectedRecipient {
	segs := a.Segments
	if segs == nil {
		segs = []string{}
	}
	return affectedRecipient{RecipientID: a.RecipientID, Email: a.Email, Segments: segs, State: a.State,
		HandedAt: utcPtr(a.HandedAt), SendAt: utcPtr(a.SendAt)}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// affected answers "who received it": one keyset page as JSON, or, with
// Accept: text/csv or ?format=csv, every matching row as a CSV download.
func (h incidentHandlers) affected(c echo.Context) error {
	q, err := assess.ParseAffectedQuery(c.QueryParam("state"), c.QueryParam("segment"), c.QueryParam("after"), c.QueryParam("limit"))
	if err != nil {
		return err
	}
	asCSV, err := wantsCSV(c)
	if err != nil {
		return err
	}
	if asCSV {
		return h.affectedCSV(c, q)
	}
	rows, next, err := h.incidents.ListAffected(c.Request().Context(), c.Param("id"), q)
	if err != nil {
		return err
	}
	out := affectedResponse{Recipients: make([]affectedRecipient, len(rows))}
	for i, a := range rows {
		out.Recipients[i] = toAffectedRecipient(a)
	}
	if next != "" {
		out.Next = &next
	}
	return c.JSON(http.StatusOK, out)
}

// wantsCSV: ?format=csv (or json), else an Accept naming text/csv.
func wantsCSV(c echo.Context) (bool, error) { return wantsFormat(c, "csv", "text/csv") }

// affectedHeader is the CSV export's first line.
var affectedHeader = []string{"recipient_id", "email", "segments", "state", "handed_at", "send_at"}

// affectedCSV streams every matching row, one store batch at a time (see
// csvDownload): memory stays one batch whatever the campaign's size.
func (h incidentHandlers) affectedCSV(c echo.Context, q assess.AffectedQuery) error {
	record := make([]string, len(affectedHeader))
	return csvDownload(c, "affected-"+c.Param("id")+".csv", affectedHeader, h.log,
		func(write func([]string) error, flush func() error) error {
			return h.incidents.EachAffected(c.Request().Context(), c.Param("id"), q, func(rows []assess.Affected) error {
				for _, a := range rows {
					record[0], record[1] = csvCell(a.RecipientID), csvCell(a.Email)
					record[2], record[3] = csvCell(strings.Join(a.Segments, ";")), string(a.State)
					record[4], record[5] = csvTime(a.HandedAt), csvTime(a.SendAt)
					if err := write(record); err != nil {
						return err
					}
				}
				return flush()
			})
		})
}

// csvDownload streams a CSV attachment: the header, then whatever produce
// writes, each flush sent to the client before the next rows are read and
// extending the write deadline by a minute (a slow client is not cut off by
// the server's WriteTimeout, a stalled one is). An error before the first
// byte is an ordinary error answer; after it, the status is gone: it is
// logged and the response ends short (the client sees a truncated download,
// never a complete-looking one, because the chunked body is not terminated
// cleanly).
func csvDownload(c echo.Context, filename string, header []string, log *slog.Logger,
	produce func(write func([]string) error, flush func() error) error) error {
	res := c.Response()
	rc := http.NewResponseController(res)
	w := csv.NewWriter(res)
	started := false
	start := func() {
		res.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		res.Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
		res.Header().Set("Cache-Control", "no-store")
		res.WriteHeader(http.StatusOK)
		_ = w.Write(header)
		started = true
	}
	write := func(record []string) error {
		if !started {
			start()
		}
		return w.Write(record)
	}
	flush := func() error {
		_ = rc.SetWriteDeadline(time.Now().Add(time.Minute)) // not every writer supports it (tests): best effort
		if !started {
			start()
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return err
		}
		return rc.Flush()
	}
	err := produce(write, flush)
	if err != nil && !started {
		return err
	}
	if err != nil {
		if log != nil {
			log.ErrorContext(c.Request().Context(), "CSV download cut short", "request_id", requestID(c),
				"file", filename, "err", err.Error())
		}
		panic(http.ErrAbortHandler) // end the response short; net/http does not log ErrAbortHandler
	}
	if !started {
		start()
	}
	w.Flush()
	return w.Error()
}

// csvCell neutralises a cell a spreadsheet would read as a formula (starting
// with = + - @, a tab or a carriage return) by prefixing a single quote, the
// OWASP CSV-injection advice: legal opens these files in Excel.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func csvTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
