package wish

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestInputValidate(t *testing.T) {
	tests := []struct {
		name       string
		in         Input
		wantFields []string // fields with a message; none: valid
	}{
		{"topic only", Input{Topic: "Vattenförsörjning"}, nil},
		{"everything", Input{Topic: "Vatten", Details: "Om kriser", Name: "Åsa", Email: "asa@kommun.se", Municipality: "Håbo"}, nil},
		{"no topic", Input{Details: "text"}, []string{"topic"}},
		{"whitespace-only topic", Input{Topic: " \t\n\u00a0 "}, []string{"topic"}},
		{"topic of 200 å", Input{Topic: strings.Repeat("å", 200)}, nil},
		{"topic of 201 å", Input{Topic: strings.Repeat("å", 201)}, []string{"topic"}},
		{"topic of 200 å with spaces around", Input{Topic: "  " + strings.Repeat("å", 200) + "  "}, nil},
		{"details of 4000", Input{Topic: "t", Details: strings.Repeat("ä", 4000)}, nil},
		{"details of 4001", Input{Topic: "t", Details: strings.Repeat("ä", 4001)}, []string{"details"}},
		{"name of 201", Input{Topic: "t", Name: strings.Repeat("n", 201)}, []string{"name"}},
		{"municipality of 101", Input{Topic: "t", Municipality: strings.Repeat("m", 101)}, []string{"municipality"}},
		{"valid email", Input{Topic: "t", Email: "namn@kommun.se"}, nil},
		{"valid email with plus and sub-domain", Input{Topic: "t", Email: "namn+webb@it.kommun.se"}, nil},
		{"email with spaces around", Input{Topic: "t", Email: "  namn@kommun.se "}, nil},
		{"empty email", Input{Topic: "t", Email: ""}, nil},
		{"email without at", Input{Topic: "t", Email: "namn.kommun.se"}, []string{"email"}},
		{"email without dot in domain", Input{Topic: "t", Email: "namn@localhost"}, []string{"email"}},
		{"email with display name", Input{Topic: "t", Email: "Namn <namn@kommun.se>"}, []string{"email"}},
		{"two emails", Input{Topic: "t", Email: "a@kommun.se, b@kommun.se"}, []string{"email"}},
		{"email too long", Input{Topic: "t", Email: strings.Repeat("a", 250) + "@k.se"}, []string{"email"}},
		{"invalid UTF-8 topic", Input{Topic: "vatten\xff\xfe"}, []string{"topic"}},
		{"invalid UTF-8 details", Input{Topic: "t", Details: "\xc3\x28"}, []string{"details"}},
		{"invalid UTF-8 email", Input{Topic: "t", Email: "a\xff@kommun.se"}, []string{"email"}},
		{"several wrong", Input{Topic: "", Details: strings.Repeat("x", 4001), Email: "nej"}, []string{"topic", "details", "email"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			err := in.Validate()
			if len(tt.wantFields) == 0 {
				if err != nil {
					t.Fatalf("Validate(%+v): %v", tt.in, err)
				}
				if in.Topic != strings.TrimSpace(in.Topic) || in.Email != strings.TrimSpace(in.Email) {
					t.Errorf("Validate left spaces: %+v", in)
				}
				return
			}
			ae, ok := apperr.As(err)
			if !ok {
				t.Fatalf("Validate error = %v (%T), want *apperr.Error", err, err)
			}
			if ae.Status != http.StatusUnprocessableEntity {
				t.Errorf("status = %d, want 422", ae.Status)
			}
			for _, f := range tt.wantFields {
				if ae.Fields[f] == "" {
					t.Errorf("no message for field %q (fields: %v)", f, ae.Fields)
				}
			}
			if len(ae.Fields) != len(tt.wantFields) {
				t.Errorf("messages for %v, want only %v", ae.Fields, tt.wantFields)
			}
		})
	}
}

func TestInputValidateMessages(t *testing.T) {
	in := Input{Topic: strings.Repeat("å", 201)}
	ae, ok := apperr.As(in.Validate())
	if !ok {
		t.Fatal("no *apperr.Error for a long topic")
	}
	// The count is in characters, not bytes (å is two bytes).
	if msg := ae.Fields["topic"]; !strings.Contains(msg, "200") || !strings.Contains(msg, "201") {
		t.Errorf("topic message %q should name the limit 200 and the count 201", msg)
	}
}

// newStore returns a store on a fresh database whose clock moves one
// second per wish, so "newest first" does not depend on timing.
func newStore(t *testing.T) *Store {
	t.Helper()
	s := NewStore(testenv.MongoDB(t))
	clock := time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
	s.now = func() time.Time {
		clock = clock.Add(time.Second)
		return clock
	}
	return s
}

func TestStore(t *testing.T) {
	s := newStore(t)
	ctx := testCtx(t)

	topics := []string{"Första", "Andra", "Tredje", "Fjärde"}
	ids := map[string]string{}
	for _, topic := range topics {
		w, err := s.Create(ctx, Input{Topic: "  " + topic + " ", Email: "namn@kommun.se", Municipality: "Umeå"})
		if err != nil {
			t.Fatalf("Create(%s): %v", topic, err)
		}
		if w.ID == "" || w.Topic != topic || w.Status != New || w.CreatedAt.IsZero() || !w.CreatedAt.Equal(w.UpdatedAt) {
			t.Errorf("Create(%s) = %+v", topic, w)
		}
		ids[topic] = w.ID
	}

	t.Run("invalid input is not stored", func(t *testing.T) {
		_, err := s.Create(ctx, Input{Topic: "   "})
		ae, ok := apperr.As(err)
		if !ok || ae.Status != http.StatusUnprocessableEntity || ae.Fields["topic"] == "" {
			t.Fatalf("Create with an empty topic = %v, want 422 naming topic", err)
		}
		n, err := s.coll.CountDocuments(ctx, bson.M{})
		if err != nil {
			t.Fatal(err)
		}
		if n != int64(len(topics)) {
			t.Errorf("%d wishes stored, want %d", n, len(topics))
		}
	})

	if err := s.SetStatus(ctx, ids["Andra"], Planned); err != nil {
		t.Fatalf("SetStatus: %v", err)
	}
	if err := s.SetStatus(ctx, ids["Fjärde"], Declined); err != nil {
		t.Fatalf("SetStatus: %v", err)
	}

	list := []struct {
		status Status
		want   []string
	}{
		{"", []string{"Fjärde", "Tredje", "Andra", "Första"}},
		{New, []string{"Tredje", "Första"}},
		{Planned, []string{"Andra"}},
		{Declined, []string{"Fjärde"}},
		{Done, []string{}},
	}
	for _, tt := range list {
		t.Run("List "+string(tt.status), func(t *testing.T) {
			got, err := s.List(ctx, tt.status)
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if got == nil {
				t.Fatal("List returned nil, want an empty slice (the API renders [])")
			}
			var gotTopics []string
			for _, w := range got {
				gotTopics = append(gotTopics, w.Topic)
				if tt.status != "" && w.Status != tt.status {
					t.Errorf("List(%s) returned %q with status %s", tt.status, w.Topic, w.Status)
				}
			}
			if strings.Join(gotTopics, ",") != strings.Join(tt.want, ",") {
				t.Errorf("List(%q) = %v, want %v (newest first)", tt.status, gotTopics, tt.want)
			}
		})
	}

	t.Run("SetStatus moves updated_at", func(t *testing.T) {
		got, err := s.List(ctx, Planned)
		if err != nil || len(got) != 1 {
			t.Fatalf("List(planned) = %v, %v", got, err)
		}
		if !got[0].UpdatedAt.After(got[0].CreatedAt) {
			t.Errorf("updated_at %v is not after created_at %v", got[0].UpdatedAt, got[0].CreatedAt)
		}
	})

	errs := []struct {
		name   string
		id     string
		status Status
		want   int
	}{
		{"unknown id", "000000000000000000000000", Done, http.StatusNotFound},
		{"empty id", "", Done, http.StatusNotFound},
		{"invalid status", ids["Första"], Status("archived"), http.StatusBadRequest},
		{"empty status", ids["Första"], Status(""), http.StatusBadRequest},
		{"label instead of status", ids["Första"], Status("Planerad"), http.StatusBadRequest},
	}
	for _, tt := range errs {
		t.Run("SetStatus "+tt.name, func(t *testing.T) {
			err := s.SetStatus(ctx, tt.id, tt.status)
			ae, ok := apperr.As(err)
			if !ok {
				t.Fatalf("SetStatus = %v (%T), want *apperr.Error", err, err)
			}
			if ae.Status != tt.want {
				t.Errorf("SetStatus status = %d, want %d", ae.Status, tt.want)
			}
		})
	}
	got, err := s.List(ctx, New)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range got {
		if w.ID == ids["Första"] {
			return
		}
	}
	t.Error("a refused SetStatus changed the wish's status")
}

func TestParseStatus(t *testing.T) {
	tests := []struct {
		in      string
		want    Status
		wantErr bool
	}{
		{in: "new", want: New},
		{in: "planned", want: Planned},
		{in: "done", want: Done},
		{in: "declined", want: Declined},
		{in: " planned\n", want: Planned},
		{in: "", wantErr: true},
		{in: "NEW", wantErr: true},
		{in: "Ny", wantErr: true},
		{in: "archived", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseStatus(tt.in)
			if tt.wantErr {
				ae, ok := apperr.As(err)
				if !ok || ae.Status != http.StatusBadRequest {
					t.Errorf("ParseStatus(%q) = %q, %v; want a 400 *apperr.Error", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseStatus(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestStatusLabel(t *testing.T) {
	labels := map[Status]string{New: "Ny", Planned: "Planerad", Done: "Genomförd", Declined: "Avböjd", "other": "other"}
	for st, want := range labels {
		t.Run(string(st), func(t *testing.T) {
			if got := st.Label(); got != want {
				t.Errorf("%s.Label() = %q, want %q", st, got, want)
			}
		})
	}
}
