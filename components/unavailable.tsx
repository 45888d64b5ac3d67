/** Why a control is disabled: a few words beside it, the whole reason on hover and for screen readers. */
export interface Unavailable {
  short: string;
  reason: string;
}

export function UnavailableNote({ id, why, testId }: { id: string; why: Unavailable; testId: string }) {
  return (
    <span id={id} className="unavailable-why" title={why.reason} data-testid={testId}>
      {why.short}
      <span className="sr-only">: {why.reason}</span>
    </span>
  );
}
