package server

import (
	"bytes"
	"context"
	"fmt"
	"hash/crc32"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/webinar"
)

// The catalogue is the busiest page, and on the embedded store every
// rendering scans the webinars collection a few times. Anonymous visitors
// all see the same page for the same URL and language, so the rendered
// bytes are kept and served again until a webinar changes in a way they
// could notice:
//   - a write through this portal counts in webinar.Service.ListedChanges
//     at once (unpublishing hides a webinar on the next request);
//   - a write through another portal reaches this one's search index
//     within the sync interval, which counts in search.Index.ListedChanges.
// Every entry carries the sum of both counters read before its page was
// rendered; an entry from an older sum is never served.
//
// Pages with anything of one visitor in them are never shared: logged-in
// visitors and pages with a flash message go past the cache. The CSRF
// token that every page carries is rendered as a placeholder and replaced
// with each visitor's own token when the page is sent.

const (
	catalogueCacheBytes   = 32 << 20 // bounds memory whatever URLs visitors invent
	catalogueCacheEntries = 4096
)

// csrfPlaceholder stands in for the visitor's CSRF token in a cached
// page. It has a token's alphabet and length, so templates write it
// unchanged, and it is random, so no page content can contain it by chance.
var csrfPlaceholder = randomToken()

// listedChangeCounter is what a Searcher also offers when it can tell
// when its results change (search.Index does).
type listedChangeCounter interface{ ListedChanges() uint64 }

// listedChanges grows whenever the anonymous catalogue may have changed.
func (s *Server) listedChanges() uint64 {
	n := s.deps.Webinars.ListedChanges()
	if lc, ok := s.deps.Search.(listedChangeCounter); ok {
		n += lc.ListedChanges()
	}
	return n
}

// catalogueCacheable reports whether this request may get (and fill) the
// shared copy of its page.
func (s *Server) catalogueCacheable(c *fiber.Ctx) bool {
	return c.Method() == fiber.MethodGet && currentUser(c) == nil && c.Get(fiber.HeaderAuthorization) == "" &&
		c.Cookies(flashCookie) == "" && csrfToken(c) != "" && s.deps.TemplateDir == ""
}

// showCatalogue answers anonymous visitors from the page cache and
// everyone else with a fresh rendering.
func (s *Server) showCatalogue(c *fiber.Ctx) error {
	if !s.catalogueCacheable(c) {
		return s.renderCatalogue(c)
	}
	// The key has the language as the page will show it (pageLang also
	// remembers a ?lang= choice in its cookie, as rendering would).
	return s.serveShared(c, s.pageLang(c)+" "+c.OriginalURL(), s.renderCatalogue)
}

// apiListWebinars and apiSearch answer anonymous callers from the same
// cache: their JSON is the same for everyone without an account.
func (s *Server) apiListWebinars(c *fiber.Ctx) error {
	if !s.catalogueCacheable(c) {
		return s.listWebinarsJSON(c)
	}
	return s.serveShared(c, "api "+c.OriginalURL(), s.listWebinarsJSON)
}

func (s *Server) apiSearch(c *fiber.Ctx) error {
	if !s.catalogueCacheable(c) {
		return s.searchJSON(c)
	}
	return s.serveShared(c, "api "+c.OriginalURL(), s.searchJSON)
}

// serveShared sends the cached answer for key, or renders it once (other
// requests for it wait meanwhile) and keeps a 200.
func (s *Server) serveShared(c *fiber.Ctx, key string, render func(*fiber.Ctx) error) error {
	token := csrfToken(c)
	gen := s.listedChanges()
	for {
		p, leader, wait := s.catalogueCache.lookup(key, gen)
		if p != nil {
			p.send(c, token)
			return nil
		}
		if leader {
			break
		}
		<-wait // another request renders this page; use its result
		if s.catalogueCache.failed(key, gen, wait) {
			return render(c)
		}
	}
	c.Locals("csrf", csrfPlaceholder)
	err := render(c)
	c.Locals("csrf", token)
	var p *cachedPage
	if err == nil && c.Response().StatusCode() == fiber.StatusOK {
		p = newCachedPage(c)
		p.send(c, token)
	}
	s.catalogueCache.finish(key, gen, p)
	if err == nil && p == nil {
		// Not a page to keep; it still must not carry the placeholder.
		c.Response().SetBodyRaw(replaceToken(c.Response().Body(), token))
	}
	return err
}

// listedFacets are the topics and years of the catalogue's filters for
// the visibilities, sorted for showing.
func (s *Server) listedFacets(ctx context.Context, vis []webinar.Visibility) ([]string, []int, error) {
	var topics []string
	var years []int
	if covers(vis) {
		set, err := s.listed(ctx)
		if err != nil {
			return nil, nil, err
		}
		topics, years = set.facets(vis)
	} else {
		var err error
		if topics, years, err = s.deps.Webinars.Store().Facets(ctx, vis); err != nil {
			return nil, nil, err
		}
	}
	return sortedSwedish(topics), sortedDesc(years), nil
}

// cachedPage is one rendered page: its body split at the CSRF
// placeholder, and the headers render set.
type cachedPage struct {
	parts   [][]byte
	headers [][2]string
	size    int
	sum     uint32 // CRC-32 of the page with placeholders, for its ETag
}

// pageHeaders are the headers a cached page keeps (render sets them;
// cookies and request ids are the visitor's own and are not kept).
var pageHeaders = []string{fiber.HeaderContentType, fiber.HeaderContentLanguage, "X-Content-Type-Options",
	"Referrer-Policy", "Content-Security-Policy"}

func newCachedPage(c *fiber.Ctx) *cachedPage {
	body := append([]byte(nil), c.Response().Body()...)
	p := &cachedPage{parts: splitAll(body, []byte(csrfPlaceholder)), size: len(body), sum: crc32.ChecksumIEEE(body)}
	for _, h := range pageHeaders {
		if v := c.Response().Header.Peek(h); len(v) > 0 {
			p.headers = append(p.headers, [2]string{h, string(v)})
		}
	}
	return p
}

// send answers with the page and the visitor's token. Its weak ETag is
// made from the page's sum and the token's, so the ETag middleware need
// not hash every answer (it leaves answers that have one alone), and a
// visitor's reload of an unchanged page gets 304.
func (p *cachedPage) send(c *fiber.Ctx, token string) {
	for _, h := range p.headers {
		c.Set(h[0], h[1])
	}
	etag := fmt.Sprintf(`W/"%08x-%08x"`, p.sum, crc32.ChecksumIEEE([]byte(token)))
	c.Set(fiber.HeaderETag, etag)
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && strings.Contains(inm, etag) {
		c.Status(fiber.StatusNotModified)
		return
	}
	c.Status(fiber.StatusOK)
	c.Response().SetBodyRaw(joinWithToken(p.parts, p.size, token))
}

func splitAll(b, sep []byte) [][]byte {
	var parts [][]byte
	for {
		i := bytes.Index(b, sep)
		if i < 0 {
			return append(parts, b)
		}
		parts = append(parts, b[:i])
		b = b[i+len(sep):]
	}
}

// joinWithToken puts token between the parts (size: their length with
// placeholders, enough room as a token is as long as a placeholder).
func joinWithToken(parts [][]byte, size int, token string) []byte {
	out := make([]byte, 0, size+len(parts)*len(token))
	for i, part := range parts {
		if i > 0 {
			out = append(out, token...)
		}
		out = append(out, part...)
	}
	return out
}

func replaceToken(body []byte, token string) []byte {
	return joinWithToken(splitAll(body, []byte(csrfPlaceholder)), len(body), token)
}

// pageCache holds pages of one generation; a newer generation empties
// it. A page being rendered is an entry without a page, so concurrent
// requests for it wait for one rendering instead of each scanning the
// store.
type pageCache struct {
	mu      sync.Mutex
	gen     uint64
	entries map[string]*pageEntry
	bytes   int
}

type pageEntry struct {
	page *cachedPage
	done chan struct{} // closed when the rendering ends (page nil: failed)
}

// lookup returns the page, or makes the caller the leader that renders
// it, or gives a channel to wait on while another request renders it.
func (pc *pageCache) lookup(key string, gen uint64) (p *cachedPage, leader bool, wait chan struct{}) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if gen < pc.gen {
		return nil, true, nil // the counters moved on during this request: render, keep nothing
	}
	if gen > pc.gen || pc.entries == nil {
		for _, e := range pc.entries {
			if e.page == nil {
				close(e.done) // its waiters find the generation moved on and render themselves
			}
		}
		pc.gen, pc.entries, pc.bytes = gen, map[string]*pageEntry{}, 0
	}
	e, ok := pc.entries[key]
	switch {
	case !ok:
		pc.entries[key] = &pageEntry{done: make(chan struct{})}
		return nil, true, nil
	case e.page != nil:
		return e.page, false, nil
	default:
		return nil, false, e.done
	}
}

// failed reports whether the rendering waited for kept no page.
func (pc *pageCache) failed(key string, gen uint64, done chan struct{}) bool {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	e, ok := pc.entries[key]
	return pc.gen != gen || !ok || (e.done == done && e.page == nil)
}

// finish stores what the leader rendered (nil: nothing to keep) and
// wakes those waiting for it.
func (pc *pageCache) finish(key string, gen uint64, p *cachedPage) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if gen != pc.gen || pc.entries == nil {
		return // emptied meanwhile: its waiters were woken then
	}
	e, ok := pc.entries[key]
	if !ok || e.page != nil {
		return
	}
	if p == nil {
		delete(pc.entries, key)
		close(e.done)
		return
	}
	cost := p.size + len(key)
	if pc.bytes+cost > catalogueCacheBytes || len(pc.entries) > catalogueCacheEntries {
		pc.evict(cost)
	}
	e.page = p
	pc.bytes += cost
	close(e.done)
}

// evict drops finished pages, in the map's random order, until a quarter
// of the budget is free besides need.
func (pc *pageCache) evict(need int) {
	for k, e := range pc.entries {
		if pc.bytes+need <= catalogueCacheBytes*3/4 && len(pc.entries) <= catalogueCacheEntries*3/4 {
			return
		}
		if e.page == nil {
			continue
		}
		pc.bytes -= e.page.size + len(k)
		delete(pc.entries, k)
	}
}
