// Splitting an op over the cores: the one threading mechanism of the engine, for training
// and inference alike (the CPU backend, the training ops, trace statistics). It replaced
// OpenMP, measured side by side (README "Threading"). A fork-join team (OpenMP) makes every thread wait at
// the join for the slowest member; on a machine whose cores are busy with other work a
// descheduled member stalls each of the ~200 joins of a training step for a whole
// time slice, and two threads end up several times slower than one. Here the calling
// thread takes tasks too and waits only for tasks a helper has actually started: a
// helper that is not running simply gets none, so a busy machine degrades to one core's
// speed, and an idle one gets all of them.
#pragma once

#include <type_traits>

namespace sf {

// Threads used for the ops, the calling one included; 0 = the default: SF_THREADS from
// the environment, else one per core.
void setThreads(int threads);
int threads();

// The scheduling priority (a nice value, 0 = normal) of the calling thread, now, and of
// the helper threads from their next task on (Linux; best effort elsewhere). The training
// studio lowers its trainer below the window's GUI thread this way.
void setTrainingNice(int nice);

// Runs task(i) for every i in [0, count), on the calling thread and the helpers, and
// returns when all have finished. Tasks must not depend on which thread runs them.
// `work` estimates the whole job's cost (multiply-adds or element operations; 0 = count):
// the pool uses it only to decide whether helping pays (parallel.cpp, Pool::account).
// A call made while another thread's job runs (a second session, the GUI thread's trace
// statistics during a translation) runs on its own thread.
void parallelForImpl(int count, void (*run)(void*, int), void* context, double work);

template <class Task>
void parallelFor(int count, Task&& task, double work = 0.0)
{
    if (count <= 0) return;
    if (count == 1) {
        task(0);
        return;
    }
    parallelForImpl(
        count, [](void* c, int i) { (*static_cast<std::remove_reference_t<Task>*>(c))(i); }, &task,
        work > 0.0 ? work : double(count));
}

// Like parallelFor, for long independent tasks (a whole sentence's work each, milliseconds):
// the helpers always take part, whatever the pool's team-or-solo probing has found for the
// short ops (a task is claimed only when a thread starts it, so a descheduled helper delays
// the end by one task at most), and these jobs are not counted in that probing. The ops a
// task calls run on its own thread (nested calls, as above), so the numbers are the ones a
// serial loop computes. Tasks must not depend on which thread runs them.
void parallelTasksImpl(int count, void (*run)(void*, int), void* context);

template <class Task>
void parallelTasks(int count, Task&& task)
{
    if (count <= 0) return;
    parallelTasksImpl(
        count, [](void* c, int i) { (*static_cast<std::remove_reference_t<Task>*>(c))(i); }, &task);
}

}  // namespace sf
