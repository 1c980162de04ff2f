"""The agency (群众事务代理): demand categories with reply deadlines, QR posters, residents'
demands and their handling by the first receiver (首问首接首办), and the 三率 statistics."""
