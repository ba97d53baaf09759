package search

import "github.com/smakom/webinar-portal/internal/webinar"

// ListedChanges counts the index writes that someone other than staff
// could notice in search results: a webinar that is not a draft before or
// after the write (or whose earlier visibility this process does not
// know) was indexed or removed. It grows after the write is committed,
// so caches of search pages that compare it never keep results from
// before the change. This is how one portal learns, within the sync
// interval, of changes that another portal made.
func (ix *Index) ListedChanges() uint64 { return ix.listedChanges.Load() }

// noteIndexed records w's visibility and reports whether indexing it
// changes what visitors can find. wasIndexed: the index had it before (a
// new webinar that is a draft changes nothing).
func (s *Syncer) noteIndexed(w *webinar.Webinar, wasIndexed bool) bool {
	old, known := s.shown[w.ID]
	s.shown[w.ID] = w.Visibility
	if w.Visibility != webinar.Draft {
		return true
	}
	return wasIndexed && (!known || old != webinar.Draft)
}

// noteRemoved counts a removal from the index unless the webinar is known
// to have been a draft.
func (s *Syncer) noteRemoved(id string) {
	if old, known := s.shown[id]; !known || old != webinar.Draft {
		s.ix.listedChanges.Add(1)
	}
	delete(s.shown, id)
}
