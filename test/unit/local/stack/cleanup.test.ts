import { Cleanup } from '../../../../local/stack/cleanup';

describe('Cleanup (what a starting local stack has to undo)', () => {
  it('undoes the steps newest first, each once', async () => {
    const cleanup = new Cleanup();
    const undone: string[] = [];
    cleanup.add(() => {
      undone.push('services');
    });
    cleanup.add(async () => {
      await Promise.resolve();
      undone.push('sandbox');
    });
    cleanup.add(() => {
      undone.push('server');
    });
    await cleanup.run();
    await cleanup.run();
    expect(undone).toEqual(['server', 'sandbox', 'services']);
  });

  it('undoes every step even when one fails, then throws the first failure', async () => {
    const cleanup = new Cleanup();
    const undone: string[] = [];
    cleanup.add(() => {
      undone.push('services');
    });
    cleanup.add(() => {
      throw new Error('sandbox would not stop');
    });
    cleanup.add(() => Promise.reject(new Error('server would not close')));
    await expect(cleanup.run()).rejects.toThrow('server would not close');
    expect(undone).toEqual(['services']);
  });
});
