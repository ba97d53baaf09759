package media

// BreakIdleConns closes the sockets of the pooled connections but keeps
// them pooled, as when the S3 server drops idle keep-alive connections.
func BreakIdleConns(p *RangeProxy) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pc := range p.idle {
		pc.tcp.Close()
	}
}
