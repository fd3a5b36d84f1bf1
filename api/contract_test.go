package api

// The wire contract has one source, api/openapi.json: the dashboard's types are
// generated from it (frontend/src/api/openapi.gen.ts) and this test holds the Go
// side to it. For every JSON body the API sends or reads, the Go type that
// encodes it is named in a table below, next to the operation and status in
// openapi.json, and the two are compared field by field (json tags, reflected,
// recursing into nested structs, slices and maps; the schema's properties,
// following $ref and allOf), in both directions. For answers it also checks
// what the generated TypeScript relies on: a field without omitempty is always
// sent, so the schema must list it in required (and one with omitempty must
// not); a pointer can be null, so its schema must be nullable (and a nullable
// schema needs a Go type that can be null).

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/auth"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/event"
	"github.com/firebreak/firebreak/domain/recipient"
)

// wireResponses maps each documented JSON answer, "METHOD /path STATUS" as in
// openapi.json, to a value of the Go type the handler encodes for it. A new
// endpoint (or status) that answers JSON needs a row here, or in unreflected.
var wireResponses = map[string]any{
	"POST /api/v1/session 200":                              meResponse{},
	"GET /api/v1/me 200":                                    meResponse{},
	"GET /api/v1/session 200":                               meResponse{},
	"GET /api/v1/users 200":                                 []userResponse{},
	"POST /api/v1/users 201":                                userResponse{},
	"GET /api/v1/people 200":                                []personResponse{},
	"POST /api/v1/tokens 201":                               tokenResponse{},
	"DELETE /api/v1/tokens/{id} 200":                        tokenResponse{},
	"PATCH /api/v1/users/{id} 200":                          userResponse{},
	"DELETE /api/v1/users/{id}/sessions 200":                revokeSessionsResponse{},
	"GET /api/v1/users/{id}/tokens 200":                     []tokenResponse{},
	"POST /api/v1/brands 201":                               brandResponse{},
	"GET /api/v1/brands 200":                                []brandResponse{},
	"PATCH /api/v1/brands/{id} 200":                         brandResponse{},
	"POST /api/v1/campaigns/{id}/approve 200":               campaignResponse{},
	"POST /api/v1/campaigns 201":                            campaignResponse{},
	"GET /api/v1/campaigns 200":                             []campaignResponse{},
	"GET /api/v1/campaigns/{id} 200":                        campaignResponse{},
	"PATCH /api/v1/campaigns/{id} 200":                      campaignResponse{},
	"POST /api/v1/campaigns/{id}/preflight 200":             campaign.Preflight{},
	"POST /api/v1/campaigns/{id}/pause 200":                 pauseResponse{},
	"POST /api/v1/campaigns/{id}/resume 200":                campaignResponse{},
	"POST /api/v1/campaigns/{id}/cancel 200":                campaignResponse{},
	"POST /api/v1/campaigns/{id}/send-in-doubt 202":         sendInDoubtResponse{},
	"GET /api/v1/campaigns/{id}/preview 200":                campaignPreviewResponse{},
	"GET /api/v1/campaigns/{id}/event-series 200":           eventSeriesResponse{},
	"POST /api/v1/campaigns/{id}/test 202":                  testSendResponse{},
	"GET /api/v1/audience 200":                              audienceEstimateResponse{},
	"POST /api/v1/recipients/import 200":                    recipient.ImportResult{},
	"GET /api/v1/segments 200":                              []recipient.Segment{},
	"GET /api/v1/suppressions 200":                          []suppressionResponse{},
	"POST /api/v1/suppressions 201":                         suppressionResponse{},
	"DELETE /api/v1/suppressions/{id} 200":                  suppressionResponse{},
	"POST /webhooks/sendgrid 200":                           event.Result{},
	"GET /api/v1/events 200":                                []eventResponse{},
	"GET /api/v1/runbooks 200":                              []runbookResponse{},
	"GET /api/v1/runbooks/{id} 200":                         runbookResponse{},
	"POST /api/v1/incidents 200":                            incidentResponse{},
	"POST /api/v1/incidents 201":                            incidentResponse{},
	"GET /api/v1/incidents 200":                             []incidentResponse{},
	"GET /api/v1/incidents/{id} 200":                        incidentResponse{},
	"GET /api/v1/incidents/{id}/monitoring 200":             incidentMonitoringResponse{},
	"POST /api/v1/incidents/{id}/owner 200":                 incidentResponse{},
	"POST /api/v1/incidents/{id}/legal-confirmation 200":    incidentResponse{},
	"GET /api/v1/webhook/quarantine 200":                    []quarantineResponse{},
	"POST /api/v1/incidents/{id}/acknowledge 200":           incidentResponse{},
	"POST /api/v1/incidents/{id}/pause 200":                 incidentResponse{},
	"POST /api/v1/incidents/{id}/runbook 200":               incidentResponse{},
	"POST /api/v1/incidents/{id}/resolve 200":               incidentResponse{},
	"POST /api/v1/incidents/{id}/steps/{step}/complete 200": incidentResponse{},
	"POST /api/v1/incidents/{id}/steps/{step}/skip 200":     incidentResponse{},
	"POST /api/v1/incidents/{id}/assessment 200":            assessmentResponse{},
	"GET /api/v1/incidents/{id}/assessment 200":             assessmentResponse{},
	"PATCH /api/v1/incidents/{id}/assessment 200":           assessmentResponse{},
	"GET /api/v1/incidents/{id}/tasks 200":                  []taskResponse{},
	"POST /api/v1/incidents/{id}/tasks 201":                 taskResponse{},
	"PATCH /api/v1/incidents/{id}/tasks/{task_id} 200":      taskResponse{},
	"GET /api/v1/incidents/{id}/timeline 200":               []timelineEntry{},
	"POST /api/v1/incidents/{id}/notes 201":                 timelineEntry{},
	"GET /api/v1/incidents/{id}/affected 200":               affectedResponse{},
	"GET /api/v1/incidents/{id}/report 200":                 reportResponse{},
	"GET /api/v1/breach-register 200":                       []breachRecordResponse{},
	"GET /api/v1/response-metrics 200":                      responseMetricsResponse{},
	"POST /api/v1/incidents/{id}/communications 201":        communicationResponse{},
	"GET /api/v1/incidents/{id}/communications 200":         []communicationResponse{},
	"GET /api/v1/communications/{cid} 200":                  communicationResponse{},
	"PATCH /api/v1/communications/{cid} 200":                communicationResponse{},
	"POST /api/v1/communications/{cid}/send 202":            sendCommunicationResponse{},
	"POST /api/v1/communications/{cid}/pause 200":           communicationResponse{},
	"POST /api/v1/communications/{cid}/resume 200":          communicationResponse{},
	"POST /api/v1/communications/{cid}/cancel 200":          communicationResponse{},
	"POST /api/v1/communications/{cid}/preflight 200":       communication.PreflightJSON{},
	"GET /api/v1/communications/{cid}/preview 200":          previewResponse{},
	"POST /api/v1/communications/{cid}/submit 200":          communicationResponse{},
	"POST /api/v1/communications/{cid}/approve 200":         communicationResponse{},
	"POST /api/v1/communications/{cid}/reject 200":          communicationResponse{},
	"GET /api/v1/approvals 200":                             []communicationResponse{},
	"GET /api/v1/communications/{cid}/history 200":          historyResponse{},
	"GET /api/v1/communications/{cid}/suppressed 200":       []suppressedRecipientResponse{},
}

// wireRequests maps each documented JSON request body, "METHOD /path", to the
// Go type the handler binds it into (bindJSON refuses unknown fields, so a
// property the struct lacks is a 400 for a client that follows the schema).
var wireRequests = map[string]any{
	"POST /api/v1/session":                           sessionRequest{},
	"POST /api/v1/users":                             createUserRequest{},
	"POST /api/v1/tokens":                            createTokenRequest{},
	"PATCH /api/v1/users/{id}":                       patchUserRequest{},
	"POST /api/v1/brands":                            brandRequest{},
	"PATCH /api/v1/brands/{id}":                      brandPatchRequest{},
	"POST /api/v1/campaigns/{id}/approve":            campaignApproveRequest{},
	"POST /api/v1/campaigns":                         campaignRequest{},
	"POST /api/v1/incidents/{id}/notes":              noteRequest{},
	"PATCH /api/v1/campaigns/{id}":                   campaignPatchRequest{},
	"POST /api/v1/campaigns/{id}/pause":              pauseRequest{},
	"POST /api/v1/campaigns/{id}/send":               sendRequest{},
	"POST /api/v1/campaigns/{id}/test":               testSendRequest{},
	"POST /api/v1/suppressions":                      suppressionRequest{},
	"POST /api/v1/incidents":                         declareRequest{},
	"POST /api/v1/incidents/{id}/acknowledge":        acknowledgeRequest{},
	"POST /api/v1/incidents/{id}/pause":              pauseRequest{},
	"POST /api/v1/incidents/{id}/runbook":            reclassifyRequest{},
	"PATCH /api/v1/incidents/{id}/assessment":        assessmentPatchRequest{},
	"POST /api/v1/incidents/{id}/tasks":              taskRequest{},
	"PATCH /api/v1/incidents/{id}/tasks/{task_id}":   taskPatchRequest{},
	"POST /api/v1/incidents/{id}/owner":              reassignRequest{},
	"POST /api/v1/incidents/{id}/legal-confirmation": legalConfirmationRequest{},
	"POST /api/v1/incidents/{id}/resolve":            resolveRequest{},
	"POST /api/v1/incidents/{id}/communications":     createCommunicationRequest{},
	"PATCH /api/v1/communications/{cid}":             patchCommunicationRequest{},
	"POST /api/v1/communications/{cid}/approve":      approveRequest{},
	"POST /api/v1/communications/{cid}/reject":       rejectRequest{},
}

// unreflected are the JSON bodies no Go struct describes, and why. Each is
// still required to be documented (a stale entry fails).
var unreflected = map[string]string{
	"GET /healthz 200":                     "built as a map in healthz",
	"GET /readyz 200":                      "built as a map in readyz",
	"GET /api/openapi.json 200":            "the document itself",
	"POST /api/v1/campaigns/{id}/send 202": "built as a map in campaignHandlers.send",
	"POST /webhooks/sendgrid":              "SendGrid's event array, decoded by domain/event",
}

// TestResponseStructsMatchTheirSchemas: every Go type in wireResponses
// encodes exactly the properties its openapi.json schema lists, with the
// required and nullable flags the generated TypeScript types rely on.
func TestResponseStructsMatchTheirSchemas(t *testing.T) {
	d := loadContract(t)
	c := d.comparer(true) // shared: a schema used by many answers is reported once
	for _, key := range sortedKeys(wireResponses) {
		s, loc, ok := d.responseSchema(key)
		if !ok {
			t.Errorf("%s: the table maps it to %T, but openapi.json has no such answer with an application/json schema (%s)", key, wireResponses[key], loc)
			continue
		}
		for _, p := range c.check(reflect.TypeOf(wireResponses[key]), s, loc) {
			t.Errorf("%s: %s", key, p)
		}
	}
}

// TestRequestStructsMatchTheirSchemas: every documented JSON request body has
// exactly the properties of the struct its handler binds.
func TestRequestStructsMatchTheirSchemas(t *testing.T) {
	d := loadContract(t)
	c := d.comparer(false)
	for _, key := range sortedKeys(wireRequests) {
		s, loc, ok := d.requestSchema(key)
		if !ok {
			t.Errorf("%s: the table maps its body to %T, but openapi.json has no application/json requestBody (%s)", key, wireRequests[key], loc)
			continue
		}
		for _, p := range c.check(reflect.TypeOf(wireRequests[key]), s, loc) {
			t.Errorf("%s request body: %s", key, p)
		}
	}
}

// TestErrorBodyMatchesTheErrorSchema: the one error shape, and every non-2xx
// JSON answer documented with it.
func TestErrorBodyMatchesTheErrorSchema(t *testing.T) {
	d := loadContract(t)
	const errLoc = "#/components/schemas/Error"
	for _, p := range d.comparer(true).check(reflect.TypeOf(ErrorBody{}), d.ref(errLoc), errLoc) {
		t.Errorf("ErrorBody: %s", p)
	}
	for _, op := range d.operations() {
		for _, status := range sortedKeys(op.responses) {
			if strings.HasPrefix(status, "2") {
				continue
			}
			if s, loc, ok := d.jsonContent(op.responses[status], op.loc+"/responses/"+status); ok && s["$ref"] != errLoc {
				t.Errorf("%s %s: a %s answer must be the error shape (%s), the schema at %s is not", op.key, status, status, errLoc, loc)
			}
		}
	}
}

// TestRoleAndPermissionEnumsAreDomainAuths: the dashboard types its role and
// permission checks with these enums, so they are exactly domain/auth's names.
func TestRoleAndPermissionEnumsAreDomainAuths(t *testing.T) {
	d := loadContract(t)
	var perms, roles []string
	for _, p := range auth.Permissions() {
		perms = append(perms, string(p))
	}
	for _, r := range auth.Roles {
		roles = append(roles, string(r))
	}
	for name, want := range map[string][]string{"Permission": perms, "Role": roles} {
		var got []string
		enum, _ := d.ref("#/components/schemas/" + name)["enum"].([]any)
		for _, v := range enum {
			got = append(got, fmt.Sprint(v))
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("#/components/schemas/%s enum is\n %v\nbut domain/auth has\n %v", name, got, want)
		}
	}
}

// TestEveryJSONBodyIsInTheContractTable: a documented JSON body that no row
// checks would drift unseen, and a row for a body that is no longer documented
// checks nothing. With TestOpenAPIDescribesExactlyTheRoutes (every route the
// server registers is documented, and nothing else), every JSON body of every
// route is compared with its Go type.
func TestEveryJSONBodyIsInTheContractTable(t *testing.T) {
	d := loadContract(t)
	documented := map[string]bool{}
	for _, op := range d.operations() {
		for _, status := range sortedKeys(op.responses) {
			if _, _, ok := d.jsonContent(op.responses[status], ""); !ok {
				continue
			}
			key := op.key + " " + status
			documented[key] = true
			_, mapped := wireResponses[key]
			_, exempt := unreflected[key]
			if !mapped && !exempt && strings.HasPrefix(status, "2") {
				t.Errorf("%s: openapi.json documents a JSON answer here, but no Go type is checked against it: "+
					"add the type the handler encodes to wireResponses in api/contract_test.go", key)
			}
		}
		if _, _, ok := d.jsonContent(op.requestBody, ""); ok {
			documented[op.key] = true
			_, mapped := wireRequests[op.key]
			_, exempt := unreflected[op.key]
			if !mapped && !exempt {
				t.Errorf("%s: openapi.json documents a JSON request body here, but no Go type is checked against it: "+
					"add the type the handler binds to wireRequests in api/contract_test.go", op.key)
			}
		}
	}
	for _, key := range sortedKeys(unreflected) {
		if !documented[key] {
			t.Errorf("%s: listed in unreflected (%s), but openapi.json documents no JSON body there", key, unreflected[key])
		}
	}
}

// ---- reading openapi.json ----

type schema = map[string]any

type contractDoc struct {
	root schema
}

type operation struct {
	key         string // "GET /api/v1/me"
	loc         string // JSON pointer of the operation
	responses   map[string]schema
	requestBody schema
}

func loadContract(t *testing.T) contractDoc {
	t.Helper()
	var root schema
	if err := json.Unmarshal(openapiJSON, &root); err != nil {
		t.Fatalf("api/openapi.json is not JSON: %v", err)
	}
	return contractDoc{root: root}
}

func pointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// ref returns the object at a local JSON pointer ("#/components/schemas/X").
func (d contractDoc) ref(ptr string) schema {
	var cur any = d.root
	for _, part := range strings.Split(strings.TrimPrefix(ptr, "#/"), "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, _ := cur.(schema)
		cur = m[part]
	}
	m, _ := cur.(schema)
	return m
}

// deref follows $ref (schemas, responses, request bodies) to the object.
func (d contractDoc) deref(s schema, loc string) (schema, string) {
	for i := 0; s != nil && i < 16; i++ {
		r, ok := s["$ref"].(string)
		if !ok {
			break
		}
		s, loc = d.ref(r), r
	}
	return s, loc
}

func (d contractDoc) operations() []operation {
	paths, _ := d.root["paths"].(schema)
	var out []operation
	for _, path := range sortedKeys(paths) {
		ops, _ := paths[path].(schema)
		for _, method := range sortedKeys(ops) {
			op, ok := ops[method].(schema)
			if !ok || method == "parameters" {
				continue
			}
			o := operation{key: strings.ToUpper(method) + " " + path,
				loc: "#/paths/" + pointerEscape(path) + "/" + method, responses: map[string]schema{}}
			rs, _ := op["responses"].(schema)
			for status, r := range rs {
				o.responses[status], _ = r.(schema)
			}
			o.requestBody, _ = op["requestBody"].(schema)
			out = append(out, o)
		}
	}
	return out
}

// jsonContent is the application/json schema of a response or request body.
func (d contractDoc) jsonContent(r schema, loc string) (schema, string, bool) {
	r, loc = d.deref(r, loc)
	content, _ := r["content"].(schema)
	media, ok := content["application/json"].(schema)
	if !ok {
		return nil, loc, false
	}
	s, ok := media["schema"].(schema)
	return s, loc + "/content/application~1json/schema", ok
}

func (d contractDoc) find(opKey string) (operation, bool) {
	for _, op := range d.operations() {
		if op.key == opKey {
			return op, true
		}
	}
	return operation{}, false
}

func (d contractDoc) responseSchema(key string) (schema, string, bool) {
	i := strings.LastIndex(key, " ")
	op, ok := d.find(key[:i])
	if !ok {
		return nil, "no operation " + key[:i], false
	}
	status := key[i+1:]
	return d.jsonContent(op.responses[status], op.loc+"/responses/"+status)
}

func (d contractDoc) requestSchema(key string) (schema, string, bool) {
	op, ok := d.find(key)
	if !ok {
		return nil, "no operation " + key, false
	}
	return d.jsonContent(op.requestBody, op.loc+"/requestBody")
}

// shape is a schema with $ref and allOf resolved: what a body must look like.
type shape struct {
	loc        string
	typ        string // JSON Schema type; "" when the schema does not say
	nullable   bool
	props      map[string]schema
	propLoc    map[string]string // where each property's schema is
	propDecl   map[string]string // the schema object that declares it (where its required belongs)
	required   map[string]bool
	items      schema
	itemsLoc   string
	additional schema // additionalProperties, when it is a schema
	addLoc     string
}

func (d contractDoc) shapeOf(s schema, loc string) shape {
	sh := shape{props: map[string]schema{}, propLoc: map[string]string{}, propDecl: map[string]string{},
		required: map[string]bool{}}
	d.merge(&sh, s, loc, 0)
	if sh.typ == "" && len(sh.props) > 0 {
		sh.typ = "object"
	}
	return sh
}

func (d contractDoc) merge(sh *shape, s schema, loc string, depth int) {
	if s == nil || depth > 16 {
		return
	}
	if n, _ := s["nullable"].(bool); n {
		sh.nullable = true
	}
	if r, ok := s["$ref"].(string); ok {
		if sh.loc == "" {
			sh.loc = r
		}
		d.merge(sh, d.ref(r), r, depth+1)
		return
	}
	parts, _ := s["allOf"].([]any)
	if _, own := s["properties"]; sh.loc == "" && (own || len(parts) != 1) {
		sh.loc = loc // else a wrapper ({allOf: [X], nullable}): X names it
	}
	if t, ok := s["type"].(string); ok && sh.typ == "" {
		sh.typ = t
	}
	for i, p := range parts {
		ps, _ := p.(schema)
		d.merge(sh, ps, fmt.Sprintf("%s/allOf/%d", loc, i), depth+1)
	}
	props, _ := s["properties"].(schema)
	for name, p := range props {
		sh.props[name], _ = p.(schema)
		sh.propLoc[name] = loc + "/properties/" + pointerEscape(name)
		sh.propDecl[name] = loc
	}
	req, _ := s["required"].([]any)
	for _, r := range req {
		if name, ok := r.(string); ok {
			sh.required[name] = true
		}
	}
	if it, ok := s["items"].(schema); ok {
		sh.items, sh.itemsLoc = it, loc+"/items"
	}
	if ap, ok := s["additionalProperties"].(schema); ok {
		sh.additional, sh.addLoc = ap, loc+"/additionalProperties"
	}
}

// ---- comparing a Go type with a schema ----

var (
	timeType      = reflect.TypeOf(time.Time{})
	rawType       = reflect.TypeOf(json.RawMessage{})
	marshalerType = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
	textType      = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()
)

// jsonKind is the JSON Schema type encoding/json produces for t, or "" when
// the type decides for itself (any, json.RawMessage, a custom marshaler).
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return "string"
	case t == rawType, t.Kind() == reflect.Interface:
		return ""
	case t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType):
		return ""
	case t.Implements(textType) || reflect.PointerTo(t).Implements(textType):
		return "string"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return "string"
		}
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	}
	return ""
}

func canBeNull(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return true
	}
	return false
}

// wireField is one JSON member of a struct, as encoding/json writes it.
type wireField struct {
	name      string
	goName    string // Struct.Field, for the messages
	typ       reflect.Type
	omitempty bool
}

// wireFields lists the members encoding/json writes for struct t, promoting
// the fields of embedded structs without a tag as it does.
func wireFields(t reflect.Type) []wireField {
	var out []wireField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			et := ft
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				out = append(out, wireFields(et)...)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, wireField{name: name, goName: t.Name() + "." + f.Name, typ: ft,
			omitempty: strings.Contains(","+opts+",", ",omitempty,")})
	}
	return out
}

// comparer compares Go types with schemas. answer says the types are sent
// (required and nullable are checked), not read. It remembers which Go type it
// compared with which schema, so a pair reached again is not reported again.
type comparer struct {
	d        contractDoc
	answer   bool
	seen     map[string]bool
	problems []string
}

func (d contractDoc) comparer(answer bool) *comparer {
	return &comparer{d: d, answer: answer, seen: map[string]bool{}}
}

// check lists every disagreement between Go type t and schema s (at loc) not
// already reported for an earlier check.
func (c *comparer) check(t reflect.Type, s schema, loc string) []string {
	c.problems = nil
	c.value(t.String(), t, s, loc)
	return c.problems
}

func (c *comparer) fail(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

func (c *comparer) value(path string, t reflect.Type, s schema, loc string) {
	sh := c.d.shapeOf(s, loc)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	visit := t.String() + "@" + sh.loc
	if c.seen[visit] {
		return
	}
	c.seen[visit] = true
	want := jsonKind(t)
	if want == "" || sh.typ == "" {
		return // any, raw JSON, a custom marshaler; or a schema that allows anything
	}
	if want != sh.typ {
		c.fail("%s: Go type %s is sent as JSON %s, but schema %s says %q", path, t, want, sh.loc, sh.typ)
		return
	}
	switch want {
	case "array":
		if sh.items == nil {
			c.fail("%s: schema %s is an array without items", path, sh.loc)
			return
		}
		c.value(path+"[]", t.Elem(), sh.items, sh.itemsLoc)
	case "object":
		if t.Kind() == reflect.Map {
			c.mapValue(path, t, sh)
			return
		}
		c.object(path, t, sh)
	}
}

// mapValue: a map's keys are data, so only its values are compared, with the
// schema's additionalProperties or with each of its fixed properties.
func (c *comparer) mapValue(path string, t reflect.Type, sh shape) {
	if sh.additional != nil {
		c.value(path+"{}", t.Elem(), sh.additional, sh.addLoc)
	}
	for _, name := range sortedKeys(sh.props) {
		c.value(path+"."+name, t.Elem(), sh.props[name], sh.propLoc[name])
	}
}

func (c *comparer) object(path string, t reflect.Type, sh shape) {
	fields := wireFields(t)
	sent := map[string]bool{}
	for _, f := range fields {
		sent[f.name] = true
		p, ok := sh.props[f.name]
		if !ok {
			c.fail("%s: Go field %s is sent as %q, but schema %s has no property %q", path, f.goName, f.name, sh.loc, f.name)
			continue
		}
		fp := path + "." + f.name
		if c.answer {
			ps := c.d.shapeOf(p, sh.propLoc[f.name])
			switch {
			case !f.omitempty && !sh.required[f.name]:
				c.fail("%s: Go field %s is always sent (no omitempty), but schema %s does not list %q in required", fp, f.goName, sh.propDecl[f.name], f.name)
			case f.omitempty && sh.required[f.name]:
				c.fail("%s: Go field %s is left out when empty (omitempty), but schema %s lists %q in required", fp, f.goName, sh.propDecl[f.name], f.name)
			}
			switch {
			case f.typ.Kind() == reflect.Pointer && !f.omitempty && !ps.nullable:
				c.fail("%s: Go field %s is a pointer and is sent as null when unset, but schema %s is not nullable", fp, f.goName, sh.propLoc[f.name])
			case ps.nullable && !canBeNull(f.typ):
				c.fail("%s: schema %s is nullable, but Go field %s (%s) is never null", fp, sh.propLoc[f.name], f.goName, f.typ)
			}
		}
		c.value(fp, f.typ, p, sh.propLoc[f.name])
	}
	for _, name := range sortedKeys(sh.props) {
		if !sent[name] {
			verb := "never sends"
			if !c.answer {
				verb = "does not accept (bindJSON refuses unknown fields)"
			}
			c.fail("%s: schema %s has property %q, but Go type %s %s it", path, sh.loc, name, t, verb)
		}
	}
	for _, name := range sortedKeys(sh.required) {
		if _, ok := sh.props[name]; !ok {
			c.fail("%s: schema %s lists %q in required but has no such property", path, sh.loc, name)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
