import { eventAdmission } from '../../lambda/domain/event-admission';

/**
 * The real admission of a test-mode stack (an `sk_test_` key), on the real clock: what
 * every pipeline test meets unless it tests admission itself.
 */
export const TEST_MODE_ADMISSION = eventAdmission(() => Promise.resolve('test'));
