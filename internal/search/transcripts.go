package search

import (
	"container/list"
	"strings"
	"sync"

	index "github.com/blevesearch/bleve_index_api"
)

// sideTranscripts are a webinar's transcripts as read from its side
// document, one per entry of transcriptFields (empty where it has none).
type sideTranscripts [3]struct {
	lang string
	t    transcript
}

func (s *sideTranscripts) size() int {
	n := 0
	for _, e := range s {
		n += len(e.t.text) + 16*len(e.t.offsets) + 4*len(e.t.first)
	}
	return n
}

// readSide decodes a webinar's side document.
func readSide(doc index.Document) *sideTranscripts {
	stored := map[string]string{}
	doc.VisitFields(func(f index.Field) { stored[f.Name()] = string(f.Value()) })
	var s sideTranscripts
	for i, tf := range transcriptFields {
		lang := strings.TrimPrefix(tf.indexed[0], "transcript_")
		cueMap := stored[tf.cues]
		if l, rest, ok := strings.Cut(cueMap, "|"); ok {
			lang, cueMap = l, rest
		}
		s[i].lang, s[i].t = lang, decodeCueMap(stored[tf.text], cueMap)
		s[i].t.index()
	}
	return &s
}

// transcriptCacheBytes bounds the decoded transcripts kept in memory: a
// one-hour transcript takes about 90 KB, so a few hundred webinars' worth.
const transcriptCacheBytes = 32 << 20

// transcriptCache keeps the decoded transcripts of recent hits, so that a
// search shows their moments without reading and decoding whole
// transcripts from the index each time. Entries are dropped on every
// write of their webinar, and the least recently used go first when the
// budget is reached.
type transcriptCache struct {
	mu     sync.Mutex
	budget int
	used   int
	writes uint64 // index writes so far; a read from before one is not kept
	byID   map[string]*list.Element
	recent list.List // of *cachedSide, most recent first
}

type cachedSide struct {
	id   string
	side *sideTranscripts
	size int
}

func newTranscriptCache(budget int) *transcriptCache {
	return &transcriptCache{budget: budget, byID: map[string]*list.Element{}}
}

// get returns the cached transcripts of id, or nil and the write count to
// pass to put with what was read.
func (c *transcriptCache) get(id string) (*sideTranscripts, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byID[id]; ok {
		c.recent.MoveToFront(e)
		return e.Value.(*cachedSide).side, c.writes
	}
	return nil, c.writes
}

// put keeps side unless the index was written since it was read.
func (c *transcriptCache) put(id string, side *sideTranscripts, readAt uint64) {
	size := side.size() + len(id) + 64
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.writes != readAt || size > c.budget {
		return
	}
	if _, ok := c.byID[id]; ok {
		return
	}
	c.byID[id] = c.recent.PushFront(&cachedSide{id: id, side: side, size: size})
	c.used += size
	for c.used > c.budget {
		c.remove(c.recent.Back())
	}
}

// written drops the entries of webinars just written to the index.
func (c *transcriptCache) written(ids ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes++
	for _, id := range ids {
		if e, ok := c.byID[id]; ok {
			c.remove(e)
		}
	}
}

func (c *transcriptCache) remove(e *list.Element) {
	cs := c.recent.Remove(e).(*cachedSide)
	delete(c.byID, cs.id)
	c.used -= cs.size
}
