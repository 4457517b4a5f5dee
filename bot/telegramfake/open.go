package telegramfake

// Open makes the chat known to the server, as if from had started the bot
// in it earlier, without an update for the bot: a load test's chats linked
// in a seeded database can then receive messages the bot sends first.
func (s *Server) Open(from User, ch Chat) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatLocked(from, ch)
}
