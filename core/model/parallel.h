// Splitting an op over the cores, for the training ops. (It sits in core/model because
// the inference kernels tried it too: side by side it made the encoder 3x faster with one
// core busy but a decoding step 1.6x slower on an idle machine, so kernels_cpu.cpp stays
// on OpenMP for now; see the README.) A fork-join team (OpenMP) makes every thread wait at
// the join for the slowest member; on a machine whose cores are busy with other work a
// descheduled member stalls each of the ~200 joins of a training step for a whole
// time slice, and two threads end up several times slower than one. Here the calling
// thread takes tasks too and waits only for tasks a helper has actually started: a
// helper that is not running simply gets none, so a busy machine degrades to one core's
// speed, and an idle one gets all of them.
#pragma once

#include <type_traits>

namespace sf {

// Threads used for the ops, the calling one included; 0 = one per core (the default).
void setThreads(int threads);
int threads();

// The scheduling priority (a nice value, 0 = normal) of the calling thread, now, and of
// the helper threads from their next task on (Linux; best effort elsewhere). The training
// studio lowers its trainer below the window's GUI thread this way; OpenMP threads the
// calling thread starts later inherit its value.
void setTrainingNice(int nice);

// Runs task(i) for every i in [0, count), on the calling thread and the helpers, and
// returns when all have finished. Tasks must not depend on which thread runs them.
void parallelForImpl(int count, void (*run)(void*, int), void* context);

template <class Task>
void parallelFor(int count, Task&& task)
{
    if (count <= 0) return;
    if (count == 1) {
        task(0);
        return;
    }
    parallelForImpl(
        count, [](void* c, int i) { (*static_cast<std::remove_reference_t<Task>*>(c))(i); }, &task);
}

}  // namespace sf
