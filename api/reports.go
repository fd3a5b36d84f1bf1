package api

import (
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/postmortem"
)

// reportHandlers answer the postmortem of an incident and the breach register.
type reportHandlers struct {
	reports *postmortem.Service
	log     *slog.Logger
}

type reportDurations struct {
	ToAcknowledgeSeconds *int64 `json:"to_acknowledge_seconds"`
	ToPauseSeconds       *int64 `json:"to_pause_seconds"`
	ToResolveSeconds     *int64 `json:"to_resolve_seconds"`
}

// reportResponse is GET /incidents/{id}/report as JSON: each part in the
// shape its own endpoint answers.
type reportResponse struct {
	Incident       incidentResponse           `json:"incident"`
	GeneratedAt    time.Time                  `json:"generated_at"`
	Summary        string                     `json:"summary"`
	Durations      reportDurations            `json:"durations"`
	Timeline       []timelineEntry            `json:"timeline"`
	Assessment     *assessmentResponse        `json:"assessment"`
	Tasks          []taskResponse             `json:"tasks"`
	Communications []communicationResponse    `json:"communications"`
	Monitoring     incidentMonitoringResponse `json:"monitoring"`
}

func seconds(d *time.Duration) *int64 {
	if d == nil {
		return nil
	}
	s := int64(*d / time.Second)
	return &s
}

func toReportResponse(r postmortem.Report) reportResponse {
	out := reportResponse{Incident: toIncidentResponse(r.Incident), GeneratedAt: r.GeneratedAt, Summary: r.Summary,
		Durations: reportDurations{ToAcknowledgeSeconds: seconds(r.Durations.ToAcknowledge),
			ToPauseSeconds: seconds(r.Durations.ToPause), ToResolveSeconds: seconds(r.Durations.ToResolve)},
		Timeline: make([]timelineEntry, len(r.Timeline)), Tasks: make([]taskResponse, len(r.Tasks)),
		Communications: make([]communicationResponse, len(r.Communications)), Monitoring: toMonitoringResponse(r.Monitoring)}
	for i, e := range r.Timeline {
		out.Timeline[i] = toTimelineEntry(e)
	}
	if r.Assessment != nil {
		a := toAssessmentResponse(*r.Assessment)
		out.Assessment = &a
	}
	for i, t := range r.Tasks {
		out.Tasks[i] = toTaskResponse(t)
	}
	for i, c := range r.Communications {
		out.Communications[i] = toCommunicationResponse(c)
	}
	return out
}

// report: the postmortem as JSON, or Markdown with ?format=md or an Accept
// naming text/markdown.
func (h reportHandlers) report(c echo.Context) error {
	md, err := wantsFormat(c, "md", "text/markdown")
	if err != nil {
		return err
	}
	r, err := h.reports.Report(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if md {
		c.Response().Header().Set(echo.HeaderContentDisposition, `inline; filename="postmortem-`+r.Incident.ID+`.md"`)
		return c.Blob(http.StatusOK, "text/markdown; charset=utf-8", []byte(postmortem.Markdown(r)))
	}
	return c.JSON(http.StatusOK, toReportResponse(r))
}

// wantsFormat: ?format=<alt> (or json), else an Accept naming mediaType.
func wantsFormat(c echo.Context, alt, mediaType string) (bool, error) {
	switch c.QueryParam("format") {
	case alt:
		return true, nil
	case "json":
		return false, nil
	case "":
	default:
		var f errs.Fields
		f.Add("format", "must be json or "+alt)
		return false, f.Err()
	}
	for _, part := range strings.Split(c.Request().Header.Get(echo.HeaderAccept), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == mediaType {
			return true, nil
		}
	}
	return false, nil
}

// breachRecordResponse is one line of GET /breach-register.
type breachRecordResponse struct {
	IncidentID     string     `json:"incident_id"`
	CampaignID     string     `json:"campaign_id"`
	DetectedAt     time.Time  `json:"detected_at"`
	Status         string     `json:"status"`
	Summary        string     `json:"summary"`
	DataCategories []string   `json:"data_categories"`
	Subjects       int        `json:"subjects"`
	Effects        string     `json:"effects"`
	RemedialAction string     `json:"remedial_action"`
	Notified       bool       `json:"notified"`
	Decision       string     `json:"decision"`
	DecidedAt      *time.Time `json:"decided_at"`
	DecidedBy      string     `json:"decided_by"`
	ResolvedAt     *time.Time `json:"resolved_at"`
}

func toBreachRecordResponse(r postmortem.BreachRecord) breachRecordResponse {
	out := breachRecordResponse{IncidentID: r.IncidentID, CampaignID: r.CampaignID, DetectedAt: r.DetectedAt.UTC(),
		Status: string(r.Status), Summary: r.Summary, DataCategories: r.DataCategories, Subjects: r.Subjects,
		Effects: r.Effects, RemedialAction: r.RemedialAction, Notified: r.Notified, Decision: r.Decision,
		DecidedAt: utcPtr(r.DecidedAt), DecidedBy: r.DecidedBy, ResolvedAt: utcPtr(r.ResolvedAt)}
	if out.DataCategories == nil {
		out.DataCategories = []string{}
	}
	return out
}

// breachHeader is the register's CSV header: the BreachRecord field names.
var breachHeader = []string{"incident_id", "campaign_id", "detected_at", "status", "summary", "data_categories",
	"subjects", "effects", "remedial_action", "notified", "decision", "decided_at", "decided_by", "resolved_at"}

// breachRegister: every data-breach incident, oldest first, as JSON, or CSV
// with ?format=csv or an Accept naming text/csv (every text cell
// neutralised against spreadsheet formulas: legal opens it in Excel).
func (h reportHandlers) breachRegister(c echo.Context) error {
	asCSV, err := wantsCSV(c)
	if err != nil {
		return err
	}
	recs, err := h.reports.BreachRegister(c.Request().Context())
	if err != nil {
		return err
	}
	if !asCSV {
		out := make([]breachRecordResponse, len(recs))
		for i, r := range recs {
			out[i] = toBreachRecordResponse(r)
		}
		return c.JSON(http.StatusOK, out)
	}
	return csvDownload(c, "breach-register.csv", breachHeader, h.log, func(write func([]string) error, flush func() error) error {
		for _, r := range recs {
			notified := "false"
			if r.Notified {
				notified = "true"
			}
			if err := write([]string{csvCell(r.IncidentID), csvCell(r.CampaignID), csvTime(&r.DetectedAt), csvCell(string(r.Status)),
				csvCell(r.Summary), csvCell(strings.Join(r.DataCategories, ";")), strconv.Itoa(r.Subjects), csvCell(r.Effects),
				csvCell(r.RemedialAction), notified, csvCell(r.Decision), csvTime(r.DecidedAt), csvCell(r.DecidedBy),
				csvTime(r.ResolvedAt)}); err != nil {
				return err
			}
		}
		return flush()
	})
}
