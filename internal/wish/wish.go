// Package wish keeps members' wishes for new webinar topics and the
// status staff give them.
package wish

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/smakom/webinar-portal/internal/apperr"
)

// Status is where staff are with a wish.
type Status string

const (
	New      Status = "new"
	Planned  Status = "planned"
	Done     Status = "done"
	Declined Status = "declined"
)

// Statuses in the order staff pages show them.
var Statuses = []Status{New, Planned, Done, Declined}

// Label is the Swedish name of a status.
func (s Status) Label() string {
	switch s {
	case New:
		return "Ny"
	case Planned:
		return "Planerad"
	case Done:
		return "Genomförd"
	case Declined:
		return "Avböjd"
	}
	return string(s)
}

// Wish is one suggestion for a webinar.
type Wish struct {
	ID           string `bson:"_id" json:"id"`
	Topic        string `bson:"topic" json:"topic"`
	Details      string `bson:"details" json:"details"`
	Name         string `bson:"name" json:"name"`
	Email        string `bson:"email" json:"email"`
	Municipality string `bson:"municipality" json:"municipality"`
	Status       Status `bson:"status" json:"status"`
	// Reply is staff's public answer, shown on the public wishes page.
	Reply string `bson:"reply,omitempty" json:"reply"`
	// WebinarSlug and WebinarTitle name the webinar that answered the
	// wish; the title is kept so the public page needs no lookup.
	WebinarSlug  string `bson:"webinar_slug,omitempty" json:"webinar_slug,omitempty"`
	WebinarTitle string `bson:"webinar_title,omitempty" json:"webinar_title,omitempty"`
	// MergedInto is the wish this duplicate was merged into; a merged
	// wish is listed only through its target.
	MergedInto string    `bson:"merged_into,omitempty" json:"merged_into,omitempty"`
	CreatedAt  time.Time `bson:"created_at" json:"created_at"`
	UpdatedAt  time.Time `bson:"updated_at" json:"updated_at"`

	// Supporters counts the distinct members who support the wish or a
	// duplicate merged into it; Merged lists those duplicates. Both are
	// worked out when listing, never stored.
	Supporters int      `bson:"-" json:"supporters"`
	Merged     []Merged `bson:"-" json:"merged,omitempty"`
}

// Merged is a duplicate as its target shows it.
type Merged struct {
	ID    string `json:"id"`
	Topic string `json:"topic"`
}

// Input is what a visitor sends.
type Input struct {
	Topic        string `json:"topic" form:"topic"`
	Details      string `json:"details" form:"details"`
	Name         string `json:"name" form:"name"`
	Email        string `json:"email" form:"email"`
	Municipality string `json:"municipality" form:"municipality"`
}

// Field limits, in characters.
const (
	MaxTopic        = 200
	MaxDetails      = 4000
	MaxName         = 200
	MaxEmail        = 254
	MaxMunicipality = 100
)

// Validate trims the input and returns Swedish messages per field.
func (in *Input) Validate() error {
	errs := map[string]string{}
	check := func(field string, v *string, max int, required bool) {
		*v = strings.TrimSpace(*v)
		switch {
		case !utf8.ValidString(*v):
			errs[field] = "Texten innehåller ogiltiga tecken."
		case required && *v == "":
			errs[field] = "Fältet måste fyllas i."
		case utf8.RuneCountInString(*v) > max:
			errs[field] = fmt.Sprintf("Högst %d tecken (du har skrivit %d).", max, utf8.RuneCountInString(*v))
		}
	}
	check("topic", &in.Topic, MaxTopic, true)
	check("details", &in.Details, MaxDetails, false)
	check("name", &in.Name, MaxName, false)
	check("email", &in.Email, MaxEmail, false)
	check("municipality", &in.Municipality, MaxMunicipality, false)
	if _, bad := errs["email"]; !bad && in.Email != "" {
		addr, err := mail.ParseAddress(in.Email)
		if err != nil || addr.Address != in.Email || !strings.Contains(in.Email[strings.Index(in.Email, "@"):], ".") {
			errs["email"] = "Ange en giltig e-postadress, till exempel namn@kommun.se, eller lämna fältet tomt."
		}
	}
	if len(errs) > 0 {
		return apperr.Invalid(errs)
	}
	return nil
}

// Store keeps wishes in the "wishes" collection and members' support in
// "wish_supporters".
type Store struct {
	coll       *mongo.Collection
	supporters *mongo.Collection
	now        func() time.Time
}

// NewStore opens the collections.
func NewStore(db *mongo.Database) *Store {
	return &Store{coll: db.Collection("wishes"), supporters: db.Collection("wish_supporters"),
		now: func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }}
}

// Create validates and stores a new wish.
func (s *Store) Create(ctx context.Context, in Input) (*Wish, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	now := s.now()
	w := &Wish{ID: newID(), Topic: in.Topic, Details: in.Details, Name: in.Name, Email: in.Email,
		Municipality: in.Municipality, Status: New, CreatedAt: now, UpdatedAt: now}
	if _, err := s.coll.InsertOne(ctx, w); err != nil {
		return nil, fmt.Errorf("insert wish: %w", err)
	}
	return w, nil
}

// List returns wishes that are not merged into another, newest first,
// optionally with one status, with their supporters counted.
func (s *Store) List(ctx context.Context, status Status) ([]Wish, error) {
	q := bson.M{"merged_into": bson.M{"$exists": false}}
	if status != "" {
		q["status"] = status
	}
	out, err := s.find(ctx, q, 1000)
	if err != nil {
		return nil, err
	}
	if err := s.fillSupport(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// CountNew is how many wishes wait for staff.
func (s *Store) CountNew(ctx context.Context) (int64, error) {
	n, err := s.coll.CountDocuments(ctx, bson.M{"status": New, "merged_into": bson.M{"$exists": false}})
	if err != nil {
		return 0, fmt.Errorf("count new wishes: %w", err)
	}
	return n, nil
}

func (s *Store) find(ctx context.Context, q bson.M, limit int64) ([]Wish, error) {
	cur, err := s.coll.Find(ctx, q, options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}}).SetLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list wishes: %w", err)
	}
	out := []Wish{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("read wishes: %w", err)
	}
	return out, nil
}

// ParseStatus accepts one of the four statuses.
func ParseStatus(s string) (Status, error) {
	st := Status(strings.TrimSpace(s))
	if !slices.Contains(Statuses, st) {
		return "", apperr.New(400, "invalid_status", "Okänd status: välj ny, planerad, genomförd eller avböjd.")
	}
	return st, nil
}

// SetStatus changes a wish's status.
func (s *Store) SetStatus(ctx context.Context, id string, st Status) error {
	if !slices.Contains(Statuses, st) {
		return apperr.New(400, "invalid_status", "Okänd status.")
	}
	res, err := s.coll.UpdateByID(ctx, id, bson.M{"$set": bson.M{"status": st, "updated_at": s.now()}})
	if err != nil {
		return fmt.Errorf("set wish status: %w", err)
	}
	if res.MatchedCount == 0 {
		return apperr.NotFound("Önskemålet finns inte.")
	}
	return nil
}

func newID() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
