package wish

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/smakom/webinar-portal/internal/apperr"
)

// supporter is one member's +1 on one wish. Its _id is the pair, so a
// second vote is a duplicate key and concurrent votes never overwrite
// each other (a counter under $inc would lose some on FerretDB).
type supporter struct {
	ID      string `bson:"_id"`
	Wish    string `bson:"wish"`
	Account string `bson:"account"`
}

// MaxReply is the longest public reply, in characters.
const MaxReply = 4000

// maxMergeHops bounds following merged_into links.
const maxMergeHops = 20

// Get returns one wish, merged or not, without supporter counts.
func (s *Store) Get(ctx context.Context, id string) (*Wish, error) {
	var w Wish
	err := s.coll.FindOne(ctx, bson.M{"_id": id}).Decode(&w)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, apperr.NotFound("Önskemålet finns inte.")
	}
	if err != nil {
		return nil, fmt.Errorf("get wish: %w", err)
	}
	return &w, nil
}

// live follows merges to the wish that now stands for id.
func (s *Store) live(ctx context.Context, id string) (*Wish, error) {
	w, err := s.Get(ctx, id)
	for hops := 0; err == nil && w.MergedInto != ""; hops++ {
		if hops == maxMergeHops {
			return nil, fmt.Errorf("wish %s: merge chain too long", id)
		}
		w, err = s.Get(ctx, w.MergedInto)
	}
	return w, err
}

// Support records that an account supports a wish (or the wish it was
// merged into). It reports whether this was a new vote; a repeat counts
// once. Declined wishes take no support.
func (s *Store) Support(ctx context.Context, id, accountID string) (bool, error) {
	if accountID == "" {
		return false, apperr.New(401, "unauthorized", "Logga in för att stödja ett önskemål.")
	}
	w, err := s.live(ctx, id)
	if err != nil {
		return false, err
	}
	if w.Status == Declined {
		return false, apperr.New(409, "declined", "Önskemålet är avböjt och kan inte stödjas.")
	}
	_, err = s.supporters.InsertOne(ctx, supporter{ID: w.ID + "/" + accountID, Wish: w.ID, Account: accountID})
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("support wish: %w", err)
	}
	return true, nil
}

// SupportedBy returns the ids of listed wishes an account supports,
// directly or through a duplicate merged into them.
func (s *Store) SupportedBy(ctx context.Context, accountID string) (map[string]bool, error) {
	cur, err := s.supporters.Find(ctx, bson.M{"account": accountID}, options.Find().SetLimit(10000))
	if err != nil {
		return nil, fmt.Errorf("list support: %w", err)
	}
	var votes []supporter
	if err := cur.All(ctx, &votes); err != nil {
		return nil, fmt.Errorf("read support: %w", err)
	}
	out := map[string]bool{}
	for _, v := range votes {
		if w, err := s.live(ctx, v.Wish); err == nil {
			out[w.ID] = true
		} else if _, ok := apperr.As(err); !ok {
			return nil, err
		}
	}
	return out, nil
}

// fillSupport counts, for each listed wish, the distinct accounts that
// support it or any duplicate merged into it, and names those duplicates.
func (s *Store) fillSupport(ctx context.Context, list []Wish) error {
	if len(list) == 0 {
		return nil
	}
	merged, err := s.find(ctx, bson.M{"merged_into": bson.M{"$exists": true}}, 10000)
	if err != nil {
		return err
	}
	parent := map[string]string{}
	topics := map[string]string{}
	for _, m := range merged {
		parent[m.ID] = m.MergedInto
		topics[m.ID] = m.Topic
	}
	root := func(id string) string {
		for hops := 0; parent[id] != "" && hops < maxMergeHops; hops++ {
			id = parent[id]
		}
		return id
	}
	index := map[string]int{}
	ids := []string{}
	for i, w := range list {
		index[w.ID] = i
		ids = append(ids, w.ID)
	}
	for _, m := range merged {
		if i, ok := index[root(m.ID)]; ok {
			list[i].Merged = append(list[i].Merged, Merged{ID: m.ID, Topic: m.Topic})
			ids = append(ids, m.ID)
		}
	}
	cur, err := s.supporters.Find(ctx, bson.M{"wish": bson.M{"$in": ids}})
	if err != nil {
		return fmt.Errorf("count support: %w", err)
	}
	var votes []supporter
	if err := cur.All(ctx, &votes); err != nil {
		return fmt.Errorf("read support: %w", err)
	}
	seen := map[[2]string]bool{} // (listed wish, account): a member who supported two duplicates counts once
	for _, v := range votes {
		key := [2]string{root(v.Wish), v.Account}
		if i, ok := index[key[0]]; ok && !seen[key] {
			seen[key] = true
			list[i].Supporters++
		}
	}
	return nil
}

// Triage is what staff set on a wish.
type Triage struct {
	Status       Status
	Reply        string
	WebinarSlug  string // empty: no webinar
	WebinarTitle string
}

// SetTriage changes status, public reply and answering webinar at once.
// The caller checks that the webinar exists.
func (s *Store) SetTriage(ctx context.Context, id string, t Triage) error {
	if _, err := ParseStatus(string(t.Status)); err != nil {
		return err
	}
	t.Reply = strings.TrimSpace(strings.ReplaceAll(t.Reply, "\r\n", "\n"))
	switch {
	case !utf8.ValidString(t.Reply):
		return apperr.Invalid(map[string]string{"reply": "Texten innehåller ogiltiga tecken."})
	case utf8.RuneCountInString(t.Reply) > MaxReply:
		return apperr.Invalid(map[string]string{"reply": fmt.Sprintf("Högst %d tecken (du har skrivit %d).", MaxReply, utf8.RuneCountInString(t.Reply))})
	}
	set := bson.M{"status": t.Status, "reply": t.Reply, "updated_at": s.now()}
	update := bson.M{"$set": set}
	if t.WebinarSlug == "" {
		update["$unset"] = bson.M{"webinar_slug": "", "webinar_title": ""}
	} else {
		set["webinar_slug"], set["webinar_title"] = t.WebinarSlug, t.WebinarTitle
	}
	res, err := s.coll.UpdateOne(ctx, bson.M{"_id": id, "merged_into": bson.M{"$exists": false}}, update)
	if err != nil {
		return fmt.Errorf("triage wish: %w", err)
	}
	if res.MatchedCount == 0 {
		return apperr.NotFound("Önskemålet finns inte eller är sammanslaget med ett annat.")
	}
	return nil
}

// Merge makes wish id a duplicate of target: it leaves the lists and its
// supporters count towards the target (each member once).
func (s *Store) Merge(ctx context.Context, id, target string) error {
	w, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if w.MergedInto != "" {
		return apperr.New(409, "already_merged", "Önskemålet är redan sammanslaget med ett annat.")
	}
	t, err := s.live(ctx, target)
	if ae, ok := apperr.As(err); ok && ae.Status == 404 {
		return apperr.New(400, "invalid_target", "Välj ett befintligt önskemål att slå ihop med.")
	}
	if err != nil {
		return err
	}
	if t.ID == w.ID {
		return apperr.New(400, "invalid_target", "Ett önskemål kan inte slås ihop med sig självt.")
	}
	res, err := s.coll.UpdateOne(ctx, bson.M{"_id": id, "merged_into": bson.M{"$exists": false}},
		bson.M{"$set": bson.M{"merged_into": t.ID, "updated_at": s.now()}})
	if err != nil {
		return fmt.Errorf("merge wish: %w", err)
	}
	if res.MatchedCount == 0 {
		return apperr.New(409, "already_merged", "Önskemålet är redan sammanslaget med ett annat.")
	}
	return nil
}
