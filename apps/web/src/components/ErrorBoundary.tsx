import { Component, type ReactNode } from 'react';
import { ErrorCard } from './ErrorCard.js';

/** The customer pages' catch-all (the staff app has its router's error page): a broken page says so. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  override componentDidCatch(error: unknown) {
    console.error(error);
  }

  override render() {
    return this.state.failed ? <ErrorCard missing={false} /> : this.props.children;
  }
}
