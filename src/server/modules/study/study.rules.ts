import { createHmac } from 'node:crypto';
import { STUDY_LIMITS } from '../../../contracts/study.js';
import type { DrawnQuestion, StudyQuestionRow } from '../../db/schema.js';
import { startOfDayShanghai } from '../../lib/time.js';

// The study rules as pure functions (docs/study.md), so they test without a database.

/** Standard deviation over mean; Infinity for fewer than two values or a zero mean. */
export function coefficientOfVariation(values: number[]): number {
  if (values.length < 2) return Infinity;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (mean <= 0) return Infinity;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return Math.sqrt(variance) / mean;
}

/**
 * The regularity rule: a session whose last `regularityWindow` dwell times vary less than
 * `regularityMinCv` (relative spread) looks like a script sleeping a fixed time per item.
 * People read at uneven speeds; even a fast reader's dwell times spread by far more than 5 %.
 */
export function looksScripted(recentDwellsMs: number[]): boolean {
  if (recentDwellsMs.length < STUDY_LIMITS.regularityWindow) return false;
  return coefficientOfVariation(recentDwellsMs.slice(0, STUDY_LIMITS.regularityWindow)) < STUDY_LIMITS.regularityMinCv;
}

/** The Asia/Shanghai calendar day of an instant, `YYYY-MM-DD` (the points cap's day). */
export function shanghaiDay(at: Date): string {
  return new Date(startOfDayShanghai(at).getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** A deterministic stream of integers below `n`, from a server seed (HMAC-SHA256 in counter mode). */
function seededRandom(seed: string) {
  let counter = 0;
  return (n: number) => {
    counter += 1;
    const word = createHmac('sha256', seed).update(`rand:${counter}`).digest().readUInt32BE(0);
    return word % n;
  };
}

function shuffle<T>(items: T[], rand: (n: number) => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rand(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** An option's id in one attempt: derived from the seed, so ids differ from attempt to attempt. */
export function optionId(seed: string, questionId: string, index: number): string {
  return createHmac('sha256', seed).update(`option:${questionId}:${index}`).digest('base64url').slice(0, 12);
}

/**
 * Draws an attempt from a quiz's questions: at most `quizMaxQuestions` of them, in a seeded
 * order, each with its options in a seeded order under per-attempt ids. The right ids stay in
 * the attempt row, never in a reply before the answers.
 */
export function drawQuiz(seed: string, questions: Pick<StudyQuestionRow, 'id' | 'options' | 'correct' | 'explanation'>[]): DrawnQuestion[] {
  const rand = seededRandom(seed);
  return shuffle(questions, rand)
    .slice(0, STUDY_LIMITS.quizMaxQuestions)
    .map((q) => {
      const order = shuffle(
        q.options.map((_, i) => i),
        rand,
      );
      return {
        questionId: q.id,
        optionIds: order.map((i) => optionId(seed, q.id, i)),
        optionIndexes: order,
        correctIds: q.correct.filter((i) => i < q.options.length).map((i) => optionId(seed, q.id, i)),
        explanation: q.explanation,
      };
    });
}

/** A question is right when exactly its right options were chosen. */
export function isRight(drawn: DrawnQuestion, chosen: string[]): boolean {
  const want = new Set(drawn.correctIds);
  const got = new Set(chosen);
  return want.size === got.size && [...want].every((id) => got.has(id));
}

export const taskKeys = {
  view: (task: 'read' | 'watch', itemId: string) => `${task}:${itemId}`,
  quiz: (q: { collectionId: string; itemId: string | null }) => `quiz:${q.itemId ?? q.collectionId}`,
};
