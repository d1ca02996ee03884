// The agent's web client is a chunk of its own: the queue preloads it, so "Connect" opens at once.
import '@mantine/core/styles.css';

export { AgentSessionPage } from './AgentSessionPage.js';
