/* The opt-in constructor: runs before the Go runtime and asks nsenter to
 * fork an executor when the program was started as create, run or exec. */
extern void hull_prefork_for_container_commands(int argc, char **argv);

/* Priority 201: after nsenter's (200, the executor's) and before every
 * constructor without a priority, so that the executor is forked with the
 * caller's CPU affinity before oneproc's constructor narrows it. */
__attribute__((constructor(201))) static void hull_prefork_constructor(int argc, char **argv)
{
	hull_prefork_for_container_commands(argc, argv);
}
