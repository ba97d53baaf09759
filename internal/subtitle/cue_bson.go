package subtitle

import (
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// cueDoc is how a Cue is stored. The driver would write a time.Duration as
// int64 nanoseconds; milliseconds are what every subtitle format uses and
// what other tools reading the collection expect from a field named *_ms.
type cueDoc struct {
	StartMS int64  `bson:"start_ms"`
	EndMS   int64  `bson:"end_ms"`
	Text    string `bson:"text"`
}

// MarshalBSON stores the times as int64 milliseconds.
func (c Cue) MarshalBSON() ([]byte, error) {
	b, err := bson.Marshal(cueDoc{StartMS: c.Start.Milliseconds(), EndMS: c.End.Milliseconds(), Text: c.Text})
	if err != nil {
		return nil, fmt.Errorf("marshal cue: %w", err)
	}
	return b, nil
}

// UnmarshalBSON reads the times back from int64 milliseconds.
func (c *Cue) UnmarshalBSON(data []byte) error {
	var d cueDoc
	if err := bson.Unmarshal(data, &d); err != nil {
		return fmt.Errorf("unmarshal cue: %w", err)
	}
	*c = Cue{Start: time.Duration(d.StartMS) * time.Millisecond, End: time.Duration(d.EndMS) * time.Millisecond, Text: d.Text}
	return nil
}
