/* The opt-in constructor: runs before the Go runtime and asks nsenter to
 * fork an executor when the program was started as create, run or exec. */
extern void hull_prefork_for_container_commands(int argc, char **argv);

__attribute__((constructor)) static void hull_prefork_constructor(int argc, char **argv)
{
	hull_prefork_for_container_commands(argc, argv);
}
