import { useEffect, useState } from 'react';

/** Seconds left before a code may be sent again, ticking down once a second to 0. */
export function useCountdown(): [number, (seconds: number) => void] {
  const [countdown, setCountdown] = useState(0);
  useEffect(() => {
    if (countdown <= 0) return;
    const id = setTimeout(() => setCountdown((c) => c - 1), 1000);
    return () => clearTimeout(id);
  }, [countdown]);
  return [countdown, setCountdown];
}
