/* siogen browser client: being written. */
