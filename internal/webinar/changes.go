package webinar

// ListedChanges counts the writes through this service that someone
// other than staff could notice: any change to a webinar that is not a
// draft before or after it (creating, editing, publishing, unpublishing,
// deleting, uploads). Caches of public pages compare it to drop their
// entries at once; changes to drafts that stay drafts leave it alone, so
// staff preparing webinars do not empty those caches.
func (s *Service) ListedChanges() uint64 { return s.listedChanges.Load() }

// noteChange is called after a write has reached the store.
func (s *Service) noteChange(before, after Visibility) {
	if before != Draft || after != Draft {
		s.listedChanges.Add(1)
	}
}
